import Foundation
import PorticoCore
import Testing

@testable import PorticoPayments

/// The gateway against a scripted transport: what it sends, how it reads answers and events.
struct StripeGatewayTests {
    typealias S = StripeSamples

    func form(_ body: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding! }
            out[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return out
    }

    @Test func createCheckoutPostsTheDocumentedForm() throws {
        let transport = ScriptedTransport(
            status: 200,
            json: """
                {"id":"cs_test_a1","object":"checkout.session","url":"https://checkout.stripe.com/c/pay/cs_test_a1","status":"open"}
                """)
        let checkout = try S.gateway(transport).createCheckout(S.request)
        #expect(
            checkout
                == GatewayCheckout(reference: "cs_test_a1", redirectURL: "https://checkout.stripe.com/c/pay/cs_test_a1")
        )
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url == "https://api.stripe.test/v1/checkout/sessions")
        let headers = Dictionary(uniqueKeysWithValues: sent.headers.map { ($0.name, $0.value) })
        #expect(headers["Authorization"] == "Bearer \(S.key)")
        #expect(headers["Idempotency-Key"] == "portico-checkout-chk_0123")
        #expect(headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(
            form(sent.body) == [
                "mode": "payment", "line_items[0][price_data][currency]": "usd",
                "line_items[0][price_data][unit_amount]": "9000",
                "line_items[0][price_data][product_data][name]": "Reactivation, 3 months",
                "line_items[0][quantity]": "1", "client_reference_id": "chk_0123", "metadata[checkout_id]": "chk_0123",
                "success_url": "https://portal.isp.test/checkout/chk_0123?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": "https://portal.isp.test/",
            ])
        // Brackets literal in keys, everything else encoded in values.
        let text = String(decoding: sent.body, as: UTF8.self)
        #expect(text.contains("line_items[0][price_data][product_data][name]=Reactivation%2C%203%20months"))
        #expect(text.contains("session_id%3D%7BCHECKOUT_SESSION_ID%7D"))
    }

    @Test func stripeErrorObjectBecomesUnavailableWithoutTheKey() {
        let transport = ScriptedTransport(
            status: 401,
            json: """
                {"error":{"type":"invalid_request_error","code":"api_key_expired","message":"Expired API Key provided: \(S.key)"}}
                """)
        #expect(
            throws: GatewayError.unavailable(
                "Stripe could not create a Checkout Session: HTTP 401 invalid_request_error/api_key_expired: Expired API Key provided: [redacted]"
            )
        ) { try S.gateway(transport).createCheckout(S.request) }
        let plain = ScriptedTransport(status: 502, json: "<html>bad gateway</html>")
        #expect(throws: GatewayError.unavailable("Stripe could not create a Checkout Session: HTTP 502")) {
            try S.gateway(plain).createCheckout(S.request)
        }
        let noURL = ScriptedTransport(status: 200, json: #"{"id":"cs_test_a1"}"#)
        #expect(throws: GatewayError.unavailable("Stripe created session cs_test_a1 without a checkout URL")) {
            try S.gateway(noURL).createCheckout(S.request)
        }
    }

    /// The admin settings' "Test connection": GET /v1/balance with the key; the answer says the mode.
    @Test func testConnectionReadsTheBalance() throws {
        let ok = ScriptedTransport(status: 200, json: #"{"object":"balance","livemode":false,"available":[]}"#)
        let message = try S.gateway(ok).testConnection()
        #expect(message.contains("Connected to Stripe") && message.contains("test mode"))
        #expect(ok.requests.map(\.method) == ["GET"])
        #expect(ok.requests.first?.url.hasSuffix("/v1/balance") == true)
        #expect(
            ok.requests.first?.headers.contains { $0.name == "Authorization" && $0.value == "Bearer " + S.key } == true)
        let refused = ScriptedTransport(
            status: 401,
            json: #"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_xyz"}}"#)
        #expect(throws: GatewayError.self) { try S.gateway(refused).testConnection() }
        do {
            _ = try S.gateway(refused).testConnection()
        } catch {
            #expect(error.description.contains("401") && !error.description.contains("sk_test_xyz"))
        }
    }

    @Test func transportFailureIsUnavailableAndRetriedOnlyWhenNothingWasSent() {
        let refused = ScriptedTransport { _ throws(StripeTransportError) in
            throw StripeTransportError("Could not connect to server (curl 7)", beforeConnecting: true)
        }
        #expect(throws: GatewayError.unavailable("could not reach Stripe: Could not connect to server (curl 7)")) {
            try S.gateway(refused).createCheckout(S.request)
        }
        #expect(refused.requests.count == 2)
        let timeout = ScriptedTransport { _ throws(StripeTransportError) in
            throw StripeTransportError("Timeout was reached (curl 28)")
        }
        #expect(throws: GatewayError.self) { try S.gateway(timeout).createCheckout(S.request) }
        #expect(timeout.requests.count == 1)
    }

    @Test func currenciesCountedDifferentlyByStripeAreRefused() throws {
        let transport = ScriptedTransport(
            status: 200, json: #"{"id":"cs_1","url":"https://checkout.stripe.com/c/pay/cs_1"}"#)
        var r = S.request
        r.currency = "ISK"
        #expect(throws: GatewayError.self) { try S.gateway(transport).createCheckout(r) }
        r.currency = "JPY"
        _ = try S.gateway(transport).createCheckout(r)
        #expect(transport.requests.count == 1)
    }

    @Test func webhookEventsMapToOutcomes() throws {
        let g = S.gateway(ScriptedTransport(status: 500, json: ""))
        let paid = try g.verify(S.webhook(S.event("checkout.session.completed", S.session())))
        #expect(
            paid
                == GatewayOutcome(
                    checkoutId: "chk_0123", reference: "cs_test_a1", result: .paid(amount: 9000, currency: "USD")))
        #expect(
            try g.verify(S.webhook(S.event("checkout.session.completed", S.session(paymentStatus: "unpaid")))) == nil)
        let later = try g.verify(S.webhook(S.event("checkout.session.async_payment_succeeded", S.session())))
        #expect(later?.result == .paid(amount: 9000, currency: "USD"))
        let failed = try g.verify(
            S.webhook(S.event("checkout.session.async_payment_failed", S.session(paymentStatus: "unpaid"))))
        #expect(failed?.result == .declined(reason: "the payment failed at Stripe"))
        let expired = try g.verify(
            S.webhook(S.event("checkout.session.expired", S.session(paymentStatus: "unpaid", status: "expired"))))
        #expect(expired?.result == .declined(reason: "the Stripe Checkout session expired unpaid"))
        #expect(
            try g.verify(S.webhook(S.event("payment_intent.succeeded", #"{"id":"pi_1","object":"payment_intent"}"#)))
                == nil)
        #expect(try g.verify(S.webhook(S.event("checkout.session.completed", S.session(reference: nil)))) == nil)
    }

    @Test func badWebhooksAreRejected() {
        let g = S.gateway(ScriptedTransport(status: 500, json: ""))
        let body = S.event("checkout.session.completed", S.session())
        #expect(throws: GatewayError.forged("no Stripe-Signature header")) {
            try g.verify(GatewayCallback(kind: .webhook, body: body))
        }
        #expect(throws: GatewayError.forged("no Stripe-Signature v1 matches the signing secret")) {
            try g.verify(S.webhook(body, secret: "whsec_forger"))
        }
        #expect(throws: GatewayError.forged("Stripe-Signature timestamp is 301 s from now, more than 300 s")) {
            try g.verify(S.webhook(body, at: S.now - 301))
        }
        #expect(throws: GatewayError.malformed("the event is not a Stripe event object")) {
            try g.verify(S.webhook(Array("not json".utf8)))
        }
        #expect(throws: GatewayError.malformed("checkout.session.completed without a Checkout Session object")) {
            try g.verify(S.webhook(S.event("checkout.session.completed", #"{"object":"checkout.session"}"#)))
        }
        #expect(throws: GatewayError.malformed("paid session cs_test_a1 without amount_total and currency")) {
            try g.verify(S.webhook(S.event("checkout.session.completed", S.session(amount: 0))))
        }
    }

    @Test func browserReturnReadsTheSessionFromTheAPI() throws {
        let transport = ScriptedTransport(status: 200, json: S.session())
        let g = S.gateway(transport)
        let callback = GatewayCallback(
            kind: .browserReturn, checkoutId: "chk_0123", query: ["session_id": "cs_test_a1"])
        #expect(try g.verify(callback)?.result == .paid(amount: 9000, currency: "USD"))
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "GET" && sent.url == "https://api.stripe.test/v1/checkout/sessions/cs_test_a1")
        #expect(sent.headers.contains { $0.name == "Authorization" && $0.value == "Bearer \(S.key)" })

        let unpaid = S.gateway(ScriptedTransport(status: 200, json: S.session(paymentStatus: "unpaid", status: "open")))
        #expect(try unpaid.verify(callback) == nil)
        let other = S.gateway(ScriptedTransport(status: 200, json: S.session(reference: "chk_other")))
        #expect(throws: GatewayError.forged("Checkout Session cs_test_a1 does not belong to checkout chk_0123")) {
            try other.verify(callback)
        }
        var bad = callback
        bad.query = ["session_id": "cs_test/../../v1/charges"]
        #expect(throws: GatewayError.malformed("session_id is missing or not a Checkout Session id")) {
            try g.verify(bad)
        }
        let missing = S.gateway(
            ScriptedTransport(
                status: 404,
                json:
                    #"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such checkout.session: 'cs_test_a1'"}}"#
            ))
        #expect(
            throws: GatewayError.unavailable(
                "Stripe could not read Checkout Session cs_test_a1: HTTP 404 invalid_request_error/resource_missing: No such checkout.session: 'cs_test_a1'"
            )
        ) { try missing.verify(callback) }
    }

    @Test func scrubRemovesKeyLikeTokensOnly() {
        let g = S.gateway(ScriptedTransport(status: 500, json: ""))
        #expect(
            g.scrub("key sk_live_abc123 and rk_test_x, whsec_zz; risk_level ok")
                == "key [redacted] and [redacted], [redacted]; risk_level ok")
    }

    @Test func allowedHostsCoverCheckout() {
        let hosts = S.gateway(ScriptedTransport(status: 500, json: "")).allowedHosts
        for h in ["checkout.stripe.com", "js.stripe.com", "m.stripe.network", "api.stripe.com"] {
            #expect(hosts.contains(h))
        }
    }
}
