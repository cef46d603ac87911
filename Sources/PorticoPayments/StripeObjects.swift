import Foundation

/// The fields of a Checkout Session (`object: "checkout.session"`) Portico reads; the rest of
/// Stripe's object is ignored.
struct StripeCheckoutSession: Decodable, Equatable {
    var id: String
    var url: String?
    /// `open`, `complete`, `expired`.
    var status: String?
    /// `paid`, `unpaid`, `no_payment_required`.
    var paymentStatus: String?
    /// In Stripe's minor units of `currency`.
    var amountTotal: Int64?
    /// Lower case ISO 4217.
    var currency: String?
    var clientReferenceId: String?
    /// Stripe's metadata values are strings; a null is tolerated rather than failing the event.
    var metadata: [String: String?]?

    enum CodingKeys: String, CodingKey {
        case id, url, status, currency, metadata
        case paymentStatus = "payment_status"
        case amountTotal = "amount_total"
        case clientReferenceId = "client_reference_id"
    }

    /// Portico's checkout id: the client reference, else the metadata copy.
    var checkoutId: String? { clientReferenceId ?? metadata?["checkout_id"] ?? nil }
}

/// An event as delivered to a webhook endpoint: `{"id", "object": "event", "type", "data":
/// {"object": …}, …}`. `Object` is what `type` says `data.object` holds; decode with
/// `StripeEvent<StripeAnyObject>` first to read the type.
struct StripeEvent<Object: Decodable>: Decodable {
    struct Data: Decodable { var object: Object }
    var id: String
    var type: String
    var data: Data
}

/// Decodes from anything: for reading an event's type before its object.
struct StripeAnyObject: Decodable {
    init(from decoder: Decoder) throws {}
}

/// Stripe's error object: `{"error": {"type", "code", "message", …}}`.
struct StripeErrorBody: Decodable {
    struct Detail: Decodable {
        var type: String?
        var code: String?
        var message: String?
    }
    var error: Detail
}
