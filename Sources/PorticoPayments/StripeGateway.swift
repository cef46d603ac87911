import Foundation
import PorticoCore

/// The `stripe` gateway (SPEC §11): Stripe Checkout Sessions in `payment` mode.
///
/// - `createCheckout` creates a session (`POST /v1/checkout/sessions`, form-encoded) with
///   Portico's checkout id as `client_reference_id` and `metadata[checkout_id]`, and an
///   `Idempotency-Key` derived from it, so a retried request never makes a second session.
/// - `verify` accepts two kinds of callback, either one enough to confirm a payment:
///   a webhook (`Stripe-Signature` checked against the endpoint's signing secret and a time
///   tolerance) and the browser coming back (`?session_id=cs_…`: the session is read back from
///   the API, so nothing in the URL is trusted).
///
/// The gateway records nothing: Portico confirms a checkout exactly once per session id,
/// whatever the number and order of webhooks, retries and returns.
public struct StripeGateway: PaymentGateway {
    public let name = "stripe"
    /// Host names a stopped client's browser needs for Stripe Checkout: the page, its scripts,
    /// assets, telemetry and fraud checks, the API its page calls, 3-D Secure's Stripe side
    /// (from Stripe's "Domains and IP addresses" list). A card issuer's own 3-D Secure page is
    /// on the issuer's host and is not here.
    public let allowedHosts = [
        "checkout.stripe.com", "js.stripe.com", "m.stripe.network", "m.stripe.com", "q.stripe.com", "r.stripe.com",
        "api.stripe.com", "hooks.stripe.com", "pay.stripe.com", "merchant-ui-api.stripe.com",
        "a.stripecdn.com", "b.stripecdn.com", "c.stripecdn.com", "f.stripecdn.com", "hcaptcha.com",
    ]

    let credentials: StripeCredentials
    let transport: any StripeTransport
    let now: @Sendable () -> Date

    /// `now` is the clock webhook timestamps are checked against (injected in tests).
    public init(
        credentials: StripeCredentials, transport: any StripeTransport = CurlTransport(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.transport = transport
        self.now = now
    }

    /// Reads and checks the `stripe.*` settings (errors name the field).
    public init(
        settings: StripeSettings, transport: any StripeTransport = CurlTransport(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.init(credentials: try settings.resolved(), transport: transport, now: now)
    }

    // MARK: Creating a session

    public func createCheckout(_ request: CheckoutRequest) throws(GatewayError) -> GatewayCheckout {
        let unitAmount = try Self.stripeAmount(request.amount, currency: request.currency)
        let separator = request.successURL.contains("?") ? "&" : "?"
        let fields: [(String, String)] = [
            ("mode", "payment"),
            ("line_items[0][price_data][currency]", request.currency.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(unitAmount)),
            ("line_items[0][price_data][product_data][name]", request.description),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", request.checkoutId),
            ("metadata[checkout_id]", request.checkoutId),
            // Stripe replaces the literal {CHECKOUT_SESSION_ID} with the session's id.
            ("success_url", request.successURL + separator + "session_id={CHECKOUT_SESSION_ID}"),
            ("cancel_url", request.cancelURL),
        ]
        let response = try call(
            StripeHTTPRequest(
                method: "POST", url: credentials.apiBase + "/v1/checkout/sessions",
                headers: authorization + [
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Idempotency-Key", Self.idempotencyKey(request.checkoutId)),
                ],
                body: Array(Self.formEncode(fields).utf8), timeoutSeconds: credentials.requestTimeoutSeconds),
            retryingWhenUnsent: true)
        let session = try decodeSession(response, doing: "create a Checkout Session")
        guard let url = session.url, url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw .unavailable("Stripe created session \(session.id) without a checkout URL")
        }
        return GatewayCheckout(reference: session.id, redirectURL: url)
    }

    /// `portico-checkout-{id}`: the same checkout always sends the same key (Stripe keeps keys
    /// at least 24 hours and answers a repeat with the first answer).
    public static func idempotencyKey(_ checkoutId: String) -> String { "portico-checkout-" + checkoutId }

    // MARK: Callbacks

    public func verify(_ callback: GatewayCallback) throws(GatewayError) -> GatewayOutcome? {
        switch callback.kind {
        case .webhook: return try verifyWebhook(callback)
        case .browserReturn: return try verifyReturn(callback)
        case .form: throw .malformed("the Stripe gateway takes no form posts")
        }
    }

    /// A webhook: signature first, then the event. Event types other than the four Checkout
    /// Session outcomes, and sessions without a Portico checkout id, give nil (acknowledged,
    /// nothing done).
    func verifyWebhook(_ callback: GatewayCallback) throws(GatewayError) -> GatewayOutcome? {
        let header = callback.headers.first { $0.key.lowercased() == "stripe-signature" }?.value
        guard let header else { throw .forged("no Stripe-Signature header") }
        try StripeSignatureHeader.verify(
            header: header, body: callback.body, secret: credentials.webhookSecret.value,
            now: Int64(now().timeIntervalSince1970.rounded(.down)),
            tolerance: Int64(credentials.signatureToleranceSeconds))
        let decoder = JSONDecoder()
        let type: String
        do { type = try decoder.decode(StripeEvent<StripeAnyObject>.self, from: Data(callback.body)).type } catch {
            throw .malformed("the event is not a Stripe event object")
        }
        let result: (StripeCheckoutSession) throws(GatewayError) -> GatewayOutcome.Result?
        switch type {
        case "checkout.session.completed":
            // Delayed payment methods complete the session unpaid; their outcome comes later.
            result = { s throws(GatewayError) in s.paymentStatus == "paid" ? try Self.paid(s) : nil }
        case "checkout.session.async_payment_succeeded":
            result = { s throws(GatewayError) in try Self.paid(s) }
        case "checkout.session.async_payment_failed":
            result = { _ in .declined(reason: "the payment failed at Stripe") }
        case "checkout.session.expired":
            result = { _ in .declined(reason: "the Stripe Checkout session expired unpaid") }
        default:
            return nil
        }
        let session: StripeCheckoutSession
        do {
            session = try decoder.decode(StripeEvent<StripeCheckoutSession>.self, from: Data(callback.body)).data.object
        } catch { throw .malformed("\(type) without a Checkout Session object") }
        guard let checkoutId = session.checkoutId, let outcome = try result(session) else { return nil }
        return GatewayOutcome(checkoutId: checkoutId, reference: session.id, result: outcome)
    }

    /// Reads the account's balance (`GET /v1/balance`), which any secret key may: proves the key,
    /// the API base and the network path, and says whether the key is live or test.
    public func testConnection() throws(GatewayError) -> String {
        let response = try call(
            StripeHTTPRequest(
                method: "GET", url: credentials.apiBase + "/v1/balance", headers: authorization,
                timeoutSeconds: credentials.requestTimeoutSeconds), retryingWhenUnsent: true)
        guard (200..<300).contains(response.status) else {
            throw .unavailable("Stripe refused: \(stripeError(response))")
        }
        let live =
            (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["livemode"] as? Bool
        let mode = live.map { $0 ? "live mode" : "test mode" } ?? "mode unknown"
        return "Connected to Stripe at \(credentials.apiBase) (\(mode))."
    }

    /// The browser's return to `/checkout/{id}?session_id=cs_…`: the session is read from the
    /// API, and only a session of this checkout that Stripe says is paid confirms it.
    func verifyReturn(_ callback: GatewayCallback) throws(GatewayError) -> GatewayOutcome? {
        guard let checkoutId = callback.checkoutId else { throw .malformed("no checkout id") }
        guard let sessionId = callback.query["session_id"], Self.isSessionId(sessionId) else {
            throw .malformed("session_id is missing or not a Checkout Session id")
        }
        let response = try call(
            StripeHTTPRequest(
                method: "GET", url: credentials.apiBase + "/v1/checkout/sessions/" + sessionId, headers: authorization,
                timeoutSeconds: credentials.requestTimeoutSeconds), retryingWhenUnsent: true)
        let session = try decodeSession(response, doing: "read Checkout Session \(sessionId)")
        guard session.id == sessionId, session.clientReferenceId == checkoutId else {
            throw .forged("Checkout Session \(sessionId) does not belong to checkout \(checkoutId)")
        }
        if session.paymentStatus == "paid" {
            return GatewayOutcome(checkoutId: checkoutId, reference: session.id, result: try Self.paid(session))
        }
        if session.status == "expired" {
            return GatewayOutcome(
                checkoutId: checkoutId, reference: session.id,
                result: .declined(reason: "the Stripe Checkout session expired unpaid"))
        }
        return nil
    }

    static func paid(_ s: StripeCheckoutSession) throws(GatewayError) -> GatewayOutcome.Result {
        guard let total = s.amountTotal, let currency = s.currency, total > 0 else {
            throw .malformed("paid session \(s.id) without amount_total and currency")
        }
        return .paid(amount: try portico(amount: total, currency: currency), currency: currency.uppercased())
    }

    /// `cs_test_…`/`cs_live_…`: letters, digits and `_` only, so it is safe in a URL path.
    static func isSessionId(_ s: String) -> Bool {
        s.hasPrefix("cs_") && s.count <= 255
            && s.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
            }
    }
}
