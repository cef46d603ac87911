import Foundation
import PorticoApp
import PorticoCore
import PorticoPayments
import PorticoStore
import PorticoTestSupport
import Testing

/// The Stripe gateway live on loopback: Portico's portal, a fake Stripe API, signed webhooks.
@Suite(.serialized) struct StripeCheckoutTests {
    typealias F = StripeFixture

    @Test func checkoutCreatesASessionWithTheDocumentedFields() throws {
        let f = try StripeFixture()
        let start = try f.startPayment()
        #expect(start.status == 303)
        let create = try #require(f.fake.creates.first)
        let id = try #require(create.form["client_reference_id"])
        #expect(id.hasPrefix("chk_"))
        #expect(start.header("Location") == "https://checkout.stripe.com/c/pay/cs_test_fake1")
        #expect(create.headers["authorization"] == "Bearer \(StripeFake.secretKey)")
        #expect(create.headers["idempotency-key"] == "portico-checkout-\(id)")
        #expect(create.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(
            create.form == [
                "mode": "payment", "line_items[0][price_data][currency]": "usd",
                "line_items[0][price_data][unit_amount]": "6000",
                "line_items[0][price_data][product_data][name]": "Overdue invoices", "line_items[0][quantity]": "1",
                "client_reference_id": id, "metadata[checkout_id]": id,
                "success_url": "http://portal.test/checkout/\(id)?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": "http://portal.test/",
            ])
        let checkout = try f.store.checkout(id)
        #expect(
            checkout.gateway == "stripe" && checkout.gatewayReference == "cs_test_fake1" && checkout.status == .open)
        #expect(f.server.context.gateway.allowedHosts.contains("checkout.stripe.com"))
    }

    @Test func paidSessionReleasesTheClientExactlyOnce() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        let releasesBefore = f.releases
        f.fake.complete(session)
        let event = f.fake.event("checkout.session.completed", session: session)
        let r = try f.signedWebhook(event)
        #expect(r.status == 200)
        #expect(r.text.contains("processed"))
        #expect(try f.store.checkout(id).status == .paid)
        #expect(try f.store.payments(clientId: f.samId).map(\.amount) == [6000])
        #expect(f.releases == releasesBefore + 1)
        #expect(f.firewall.operations.last == .release([try IPPrefix(F.sam)]))
        // Stripe delivers again (a replay of the same event, signed again): nothing new.
        #expect(try f.signedWebhook(event).status == 200)
        #expect(try f.webhook(event, signature: StripeFake.sign(event, at: f.now - 10)).status == 200)
        // The browser comes back: the page says so, and no API call is needed any more.
        let page = try f.get(F.sam, "/checkout/\(id)?session_id=\(session)")
        #expect(page.text.contains("You are back online"))
        #expect(f.fake.retrievals.isEmpty)
        #expect(try f.store.payments(clientId: f.samId).count == 1)
        #expect(f.releases == releasesBefore + 1)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func browserReturnAloneConfirmsFromTheAPI() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        let before = try f.snapshot(id)
        // Back before paying (or with a delayed method still pending): still waiting.
        let waiting = try f.get(F.sam, "/checkout/\(id)?session_id=\(session)")
        #expect(waiting.text.contains("Waiting for the payment"))
        #expect(try f.snapshot(id) == before)
        // Another session id in the URL: Stripe is not even asked.
        let retrievals = f.fake.retrievals.count
        _ = try f.get(F.sam, "/checkout/\(id)?session_id=cs_test_someone_else")
        #expect(f.fake.retrievals.count == retrievals)
        f.fake.complete(session)
        let page = try f.get(F.sam, "/checkout/\(id)?session_id=\(session)")
        #expect(page.text.contains("You are back online"))
        #expect(f.fake.retrievals.last?.path == "/v1/checkout/sessions/\(session)")
        #expect(f.fake.retrievals.last?.headers["authorization"] == "Bearer \(StripeFake.secretKey)")
        #expect(try f.store.checkout(id).status == .paid)
        #expect(try f.store.payments(clientId: f.samId).map(\.amount) == [6000])
        #expect(f.firewall.operations.last == .release([try IPPrefix(F.sam)]))
        // The webhook arriving afterwards changes nothing.
        #expect(try f.signedWebhook(f.fake.event("checkout.session.completed", session: session)).status == 200)
        #expect(try f.store.payments(clientId: f.samId).count == 1)
    }

    /// SPEC §13: forged or replayed webhooks get a clear answer and change nothing.
    @Test func badWebhooksChangeNothing() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        f.fake.complete(session)
        let before = try f.snapshot(id)
        let event = f.fake.event("checkout.session.completed", session: session)
        func expectUnchanged(_ what: String) throws {
            #expect(try f.snapshot(id) == before, "\(what)")
        }
        // Forged: another secret, no header, a tampered body, junk header.
        var r = try f.webhook(event, signature: StripeFake.sign(event, at: f.now, secret: "whsec_attacker"))
        #expect(r.status == 400 && r.text.contains("no Stripe-Signature v1 matches"))
        try expectUnchanged("forged")
        #expect(try f.webhook(event, signature: nil).status == 400)
        #expect(try f.webhook(event + Array(" ".utf8), signature: StripeFake.sign(event, at: f.now)).status == 400)
        #expect(try f.webhook(event, signature: "t=abc,v1=zz").status == 400)
        try expectUnchanged("unsigned or tampered")
        // Stale or future timestamps, even with a good signature.
        r = try f.webhook(event, signature: StripeFake.sign(event, at: f.now - 301))
        #expect(r.status == 400 && r.text.contains("more than 300 s"))
        #expect(try f.webhook(event, signature: StripeFake.sign(event, at: f.now + 301)).status == 400)
        try expectUnchanged("stale")
        // Authentic but malformed.
        let junk = Array("{\"type\": 42}".utf8)
        #expect(try f.webhook(junk, signature: StripeFake.sign(junk, at: f.now)).status == 400)
        // Authentic, ours, but a different amount or currency than the checkout: refused.
        r = try f.signedWebhook(f.fake.event("checkout.session.completed", session: session, amount: 100))
        #expect(r.status == 422 && r.text.contains("amount"))
        #expect(
            try f.signedWebhook(f.fake.event("checkout.session.completed", session: session, currency: "eur")).status
                == 422)
        try expectUnchanged("mismatched amount")
        // Not ours to act on: an unknown checkout, another session, other event types, unpaid.
        for body in [
            f.fake.event("checkout.session.completed", session: session, clientReferenceId: "chk_unknown"),
            f.fake.event("checkout.session.completed", session: session, clientReferenceId: .some(nil)),
            f.fake.event("checkout.session.completed", session: session, sessionId: "cs_test_not_ours"),
            f.fake.event("payment_intent.succeeded", session: session),
            f.fake.event(
                "checkout.session.async_payment_succeeded", session: session, clientReferenceId: "chk_unknown"),
        ] {
            r = try f.signedWebhook(body)
            #expect(r.status == 200 && r.text.contains("ignored"))
        }
        f.fake.complete(session, paid: false)
        #expect(try f.signedWebhook(f.fake.event("checkout.session.completed", session: session)).status == 200)
        try expectUnchanged("ignored events")
        #expect(try f.get(F.sam, "/checkout/\(id)").text.contains("Waiting for the payment"))
    }

    @Test func replayedEventOutsideTheToleranceIsRejected() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        f.fake.complete(session)
        let event = f.fake.event("checkout.session.completed", session: session)
        let signature = StripeFake.sign(event, at: f.now)
        #expect(try f.webhook(event, signature: signature).status == 200)
        let after = try f.snapshot(id)
        #expect(after.status == .paid)
        f.advance(seconds: 120)
        #expect(try f.webhook(event, signature: signature).status == 200)  // within tolerance: harmless
        f.advance(seconds: 200)
        let late = try f.webhook(event, signature: signature)
        #expect(late.status == 400)
        #expect(try f.snapshot(id) == after)
        #expect(try f.store.payments(clientId: f.samId).count == 1)
    }

    @Test func expiredOrFailedSessionsDeclineTheCheckout() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        let operations = f.firewall.operations.count
        f.fake.expire(session)
        #expect(try f.signedWebhook(f.fake.event("checkout.session.expired", session: session)).status == 200)
        #expect(try f.store.checkout(id).status == .declined)
        #expect(try f.get(F.sam, "/checkout/\(id)").text.contains("Nothing was charged"))
        #expect(f.firewall.operations.count == operations)
        #expect(try f.store.payments(clientId: f.samId).isEmpty)
        let (other, otherSession) = try f.startedCheckout()
        f.fake.complete(otherSession, paid: false)
        let failed = f.fake.event("checkout.session.async_payment_failed", session: otherSession)
        #expect(try f.signedWebhook(failed).status == 200)
        #expect(try f.store.checkout(other).status == .declined)
    }

    @Test func fiftyConcurrentWebhooksAndTheReturnRecordOnePayment() throws {
        let f = try StripeFixture()
        let (id, session) = try f.startedCheckout()
        let releasesBefore = f.releases
        f.fake.complete(session)
        let event = f.fake.event("checkout.session.completed", session: session)
        let signature = StripeFake.sign(event, at: f.now)
        let statuses = StatusList()
        var threads: [Thread] = []
        let done = DispatchGroup()
        for i in 0...50 {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    if i == 25 {
                        let page = try f.get(F.sam, "/checkout/\(id)?session_id=\(session)")
                        statuses.append(page.status)
                    } else {
                        statuses.append(try f.webhook(event, signature: signature).status)
                    }
                } catch {
                    statuses.append(-1)
                }
            }
            threads.append(thread)
        }
        for t in threads { t.start() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(statuses.values.count == 51)
        #expect(statuses.values.allSatisfy { $0 == 200 })
        #expect(try f.store.payments(clientId: f.samId).map(\.amount) == [6000])
        #expect(try f.store.checkout(id).status == .paid)
        #expect(f.releases == releasesBefore + 1)
        #expect(try f.get(F.sam, "/checkout/\(id)").text.contains("You are back online"))
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func apiErrorOnCreateShowsTheClearMessageAndChangesNothing() throws {
        let f = try StripeFixture()
        let operations = f.firewall.operations.count
        f.fake.failCreates(
            status: 400, type: "invalid_request_error", code: "parameter_invalid_integer",
            message: "Invalid integer: key \(StripeFake.secretKey)")
        let r = try f.startPayment()
        #expect(r.status == 502)
        #expect(r.text.contains("The payment service is not available right now. Nothing was charged."))
        let id = try #require(f.fake.creates.first?.form["client_reference_id"])
        let checkout = try f.store.checkout(id)
        #expect(checkout.status == .failed)
        #expect(checkout.failure.contains("parameter_invalid_integer"))
        #expect(!checkout.failure.contains(StripeFake.secretKey))
        #expect(try f.store.payments().isEmpty)
        #expect(f.firewall.operations.count == operations)
        #expect(try f.get(F.sam, "/checkout/\(id)").text.contains("could not be completed"))
    }

    @Test func unreachableStripeShowsTheClearMessage() throws {
        let f = try StripeFixture(apiBase: "http://127.0.0.1:1")
        let r = try f.startPayment()
        #expect(r.status == 502)
        #expect(r.text.contains("Nothing was charged"))
        #expect(try f.store.payments().isEmpty)
        #expect(try f.get(F.sam, "/").status == 200)
    }

    @Test func webhookIsNotServedWithTheTestGateway() throws {
        let f = try PortalFixture(today: "2027-05-15") { _ in }
        let body = Array("{}".utf8)
        let r = try f.connect("127.0.0.200").request(
            "POST", "/webhooks/stripe", headers: [("Stripe-Signature", StripeFake.sign(body, at: 0))], body: body)
        #expect(r.status == 404)
    }

    /// `gateway = stripe` with both secrets over a database in `dir`; never started.
    func stripeConfiguration(_ dir: TestDirectory) -> PorticoConfiguration {
        var c = PorticoConfiguration()
        c.databasePath = dir.path + "/p.db"
        c.gateway = .stripe
        c.stripe.secretKey = Secret(StripeFake.secretKey)
        c.stripe.webhookSecret = Secret(StripeFake.webhookSecret)
        return c
    }

    /// Stripe's hosts join the allowlist unless `firewall.allowGatewayHosts` is off; the
    /// configured names are kept either way. Only built, never started: nothing is resolved.
    @Test func gatewayHostsJoinTheAllowlistUnlessTurnedOff() throws {
        let dir = try TestDirectory("portico-stripe")
        var c = stripeConfiguration(dir)
        c.allowedHosts = ["Pay.Example"]
        let on = try PorticoServer(configuration: c, logger: .init(label: "test"))
        #expect(on.allowlist.hosts.first == "pay.example")
        #expect(on.allowlist.hosts.contains("checkout.stripe.com") && on.allowlist.hosts.contains("js.stripe.com"))
        on.stop()
        c.allowGatewayHosts = false
        let off = try PorticoServer(configuration: c, logger: .init(label: "test"))
        #expect(off.allowlist.hosts == ["pay.example"])
        off.stop()
    }

    @Test func stripeGatewayNeedsItsSecrets() throws {
        let dir = try TestDirectory("portico-stripe")
        var c = stripeConfiguration(dir)
        c.stripe.secretKey = nil
        #expect(
            throws: BillingError.invalidField(
                "stripe.secretKey", "required when gateway is stripe (set stripe.secretKey or stripe.secretKeyFile)")
        ) {
            _ = try PorticoServer(configuration: c, logger: .init(label: "test"))
        }
        c.stripe.secretKey = Secret(StripeFake.secretKey)
        #expect(!"\(c)".contains(StripeFake.secretKey) && !"\(c)".contains(StripeFake.webhookSecret))
    }
}

/// Statuses collected from several threads.
final class StatusList: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var list: [Int] = []

    func append(_ status: Int) { lock.withLock { list.append(status) } }
    var values: [Int] { lock.withLock { list } }
}
