import Foundation
import PorticoCore
import Synchronization

@testable import PorticoPayments

/// A `StripeTransport` that records requests and answers from a script, without sockets.
final class ScriptedTransport: StripeTransport {
    typealias Answer = @Sendable (StripeHTTPRequest) throws(StripeTransportError) -> StripeHTTPResponse
    private let sent = Mutex<[StripeHTTPRequest]>([])
    private let answer: Answer

    init(_ answer: @escaping Answer) { self.answer = answer }

    convenience init(status: Int, json: String) {
        self.init { _ in StripeHTTPResponse(status: status, body: Array(json.utf8)) }
    }

    var requests: [StripeHTTPRequest] { sent.withLock { $0 } }

    func send(_ request: StripeHTTPRequest) throws(StripeTransportError) -> StripeHTTPResponse {
        sent.withLock { $0.append(request) }
        return try answer(request)
    }
}

enum StripeSamples {
    static let key = "sk_test_51PorticoUnitKey"
    static let webhookSecret = "whsec_unit_secret"
    static let now: Int64 = 1_800_000_000

    static func gateway(_ transport: ScriptedTransport) -> StripeGateway {
        StripeGateway(
            credentials: StripeCredentials(
                secretKey: Secret(key), webhookSecret: Secret(webhookSecret),
                apiBase: "https://api.stripe.test"),
            transport: transport, now: { Date(timeIntervalSince1970: TimeInterval(now)) })
    }

    static let request = CheckoutRequest(
        checkoutId: "chk_0123", amount: 9000, currency: "USD", description: "Reactivation, 3 months",
        successURL: "https://portal.isp.test/checkout/chk_0123", cancelURL: "https://portal.isp.test/")

    static func session(
        id: String = "cs_test_a1", paymentStatus: String = "paid", status: String = "complete",
        amount: Int64 = 9000, currency: String = "usd", reference: String? = "chk_0123"
    ) -> String {
        let ref = reference.map { "\"\($0)\"" } ?? "null"
        return """
            {"id":"\(id)","object":"checkout.session","amount_subtotal":\(amount),"amount_total":\(amount),\
            "client_reference_id":\(ref),"currency":"\(currency)","livemode":false,\
            "metadata":{"checkout_id":\(ref)},"mode":"payment","payment_status":"\(paymentStatus)",\
            "status":"\(status)","url":null,"total_details":{"amount_discount":0,"amount_shipping":0,"amount_tax":0}}
            """
    }

    static func event(_ type: String, _ object: String) -> [UInt8] {
        Array(
            """
            {"id":"evt_1","object":"event","api_version":"2024-06-20","created":\(now),"data":{"object":\(object)},\
            "livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"\(type)"}
            """.utf8)
    }

    static func webhook(_ body: [UInt8], at t: Int64 = now, secret: String = webhookSecret) -> GatewayCallback {
        GatewayCallback(
            kind: .webhook,
            headers: ["Stripe-Signature": StripeSignatureHeader.header(timestamp: t, body: body, secret: secret)],
            body: body)
    }
}
