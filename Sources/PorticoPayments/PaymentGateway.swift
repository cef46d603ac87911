import PorticoCore

/// What Portico asks a gateway for: a checkout of `amount` for one of its checkouts.
public struct CheckoutRequest: Sendable, Equatable {
    /// Portico's checkout id: the gateway carries it back (client reference, metadata).
    public var checkoutId: String
    public var amount: Money
    /// ISO 4217, upper case.
    public var currency: String
    /// What the client sees at the gateway, e.g. "Reactivation, 3 months".
    public var description: String
    /// Where the gateway sends the browser after paying (Portico's `/checkout/{id}`).
    public var successURL: String
    /// Where it sends the browser after giving up.
    public var cancelURL: String

    public init(
        checkoutId: String, amount: Money, currency: String, description: String, successURL: String,
        cancelURL: String
    ) {
        self.checkoutId = checkoutId
        self.amount = amount
        self.currency = currency
        self.description = description
        self.successURL = successURL
        self.cancelURL = cancelURL
    }
}

/// A checkout the gateway created: its own reference and where to send the browser.
public struct GatewayCheckout: Sendable, Equatable {
    public var reference: String
    public var redirectURL: String

    public init(reference: String, redirectURL: String) {
        self.reference = reference
        self.redirectURL = redirectURL
    }
}

/// A request from the gateway's side: a webhook, a browser coming back, or (test gateway) the
/// form on its page.
public struct GatewayCallback: Sendable {
    public enum Kind: Sendable { case webhook, browserReturn, form }
    public var kind: Kind
    /// Portico's checkout id when the URL carries it.
    public var checkoutId: String?
    public var headers: [String: String]
    public var query: [String: String]
    public var form: [String: String]
    public var body: [UInt8]

    public init(
        kind: Kind, checkoutId: String? = nil, headers: [String: String] = [:], query: [String: String] = [:],
        form: [String: String] = [:], body: [UInt8] = []
    ) {
        self.kind = kind
        self.checkoutId = checkoutId
        self.headers = headers
        self.query = query
        self.form = form
        self.body = body
    }
}

/// What a verified callback says happened.
public struct GatewayOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// The money arrived: `amount` and `currency` are what the gateway says was paid.
        case paid(amount: Money, currency: String)
        case declined(reason: String)
    }
    public var checkoutId: String
    /// The gateway's reference: a payment is recorded once per reference.
    public var reference: String
    public var result: Result

    public init(checkoutId: String, reference: String, result: Result) {
        self.checkoutId = checkoutId
        self.reference = reference
        self.result = result
    }
}

/// Why a gateway call failed; the message is safe to show an admin (never a secret).
public enum GatewayError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The gateway could not be reached or answered with an error.
    case unavailable(String)
    /// The callback is not authentic (bad or missing signature, stale timestamp).
    case forged(String)
    /// The callback is authentic but not usable (unknown event, malformed body).
    case malformed(String)

    public var description: String {
        switch self {
        case .unavailable(let s): "payment gateway unavailable: \(s)"
        case .forged(let s): "callback rejected: \(s)"
        case .malformed(let s): "callback not understood: \(s)"
        }
    }
}

/// One payment gateway (SPEC §11): create a checkout → a redirect URL; verify a callback → a
/// confirmed outcome or nothing. Implementations never record anything themselves: Portico
/// records a confirmed payment exactly once per reference.
public protocol PaymentGateway: Sendable {
    /// `test`, `stripe`.
    var name: String { get }
    /// Host names the walled garden must let stopped clients reach (checkout pages, scripts, API).
    var allowedHosts: [String] { get }
    func createCheckout(_ request: CheckoutRequest) throws(GatewayError) -> GatewayCheckout
    /// nil when the callback is authentic but says nothing final (e.g. a pending session).
    func verify(_ callback: GatewayCallback) throws(GatewayError) -> GatewayOutcome?
    /// Calls the provider with the configured credentials and says what it answered (the
    /// admin settings' "Test connection").
    func testConnection() throws(GatewayError) -> String
}
