import Logging
import PorticoCore
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport

/// The gateway's side of a checkout: Stripe's webhook and the browser coming back from Stripe
/// Checkout. Either one confirms a payment; together, and however often repeated, they record
/// it once (the store confirms a checkout once, and a gateway reference once).
extension Portal {
    /// POST /webhooks/stripe. Answers (Stripe only reads the status; it retries anything but 2xx):
    /// - 400: bad or missing signature, timestamp outside the tolerance, unreadable event —
    ///   nothing changed;
    /// - 200: carried out, already carried out (a replay), or not ours to act on (another event
    ///   type, another integration's session, an unknown checkout) — the last ones logged;
    /// - 422: authentic and ours but refused (the paid amount is not the checkout's): nothing
    ///   recorded, logged as an error, and left failing in Stripe's dashboard for a person;
    /// - 500: the database failed; Stripe's retry will carry it out.
    static func stripeWebhook(_ c: PortalContext, _ req: HTTPRequest) -> HTTPResponse {
        guard c.gateway.name == "stripe" else {
            return JSON.error(404, "not_found", "the Stripe gateway is not enabled")
        }
        var headers: [String: String] = [:]
        if let signature = req.headers["Stripe-Signature"] { headers["Stripe-Signature"] = signature }
        let outcome: GatewayOutcome?
        do {
            outcome = try c.gateway.verify(GatewayCallback(kind: .webhook, headers: headers, body: req.body))
        } catch {
            c.logger.warning(
                "stripe webhook rejected", metadata: ["error": "\(error)", "from": "\(req.remoteAddress)"])
            return JSON.error(400, "rejected", error.description)
        }
        guard let outcome else { return received("ignored") }
        switch carryOut(c, outcome, from: "webhook") {
        case .done: return received("processed")
        case .ignored: return received("ignored")
        case .refused(let reason): return JSON.error(422, "refused", reason)
        case .failed: return JSON.error(500, "internal", "internal error")
        }
    }

    /// GET /checkout/{id}?session_id=cs_… (Stripe's success URL): while the checkout is open,
    /// reads the session from Stripe and confirms a paid one; then shows the checkout page as
    /// always. Only the checkout's own client, with the session Portico created for it, makes
    /// Portico call Stripe, so the page cannot be used to flood the API.
    static func stripeReturn(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer, id: String)
        -> HTTPResponse
    {
        if c.gateway.name == "stripe", let sessionId = req.query["session_id"],
            let checkout = try? c.store.checkout(id), checkout.gateway == "stripe", checkout.status == .open,
            checkout.gatewayReference == sessionId,
            let entry = c.directory.lookup(clientAddress(req, o)), entry.clientId == checkout.clientId
        {
            // Reading the session back calls Stripe: on the worker pool, never on this thread.
            // A client already waiting for its read-backs just sees the page as it stands.
            return .later(
                key: "stripe return " + clientAddress(req, o), limit: o.checkoutsPerClient,
                whenBusy: checkoutPage(c, req, o, l, id: id)
            ) {
                confirmReturn(c, id: id, sessionId: sessionId)
                return checkoutPage(c, req, o, l, id: id)
            }
        }
        return checkoutPage(c, req, o, l, id: id)
    }

    /// Reads the session back from Stripe and confirms a paid one (on a worker thread).
    static func confirmReturn(_ c: PortalContext, id: String, sessionId: String) {
        do {
            if let outcome = try c.gateway.verify(
                GatewayCallback(kind: .browserReturn, checkoutId: id, query: ["session_id": sessionId]))
            {
                _ = carryOut(c, outcome, from: "browser return")
            }
        } catch {
            // The page still shows the checkout's state; the webhook may yet confirm it.
            c.logger.warning("stripe return not confirmed", metadata: ["checkout": "\(id)", "error": "\(error)"])
        }
    }

    enum GatewayResult: Equatable {
        case done, ignored
        case refused(String)
        case failed
    }

    /// Carries out a verified Stripe outcome for one of our Stripe checkouts. A session that is
    /// not the one Portico created for the checkout is ignored.
    static func carryOut(_ c: PortalContext, _ outcome: GatewayOutcome, from source: String) -> GatewayResult {
        let meta: Logger.Metadata = [
            "checkout": "\(outcome.checkoutId)", "session": "\(outcome.reference)", "via": "\(source)",
        ]
        guard let checkout = try? c.store.checkout(outcome.checkoutId), checkout.gateway == "stripe" else {
            c.logger.info("stripe event for no Stripe checkout of ours; ignored", metadata: meta)
            return .ignored
        }
        // Before Portico stored the session id (only if it stopped in between) any session
        // naming the checkout is taken; afterwards only that one.
        if let known = checkout.gatewayReference, known != outcome.reference {
            c.logger.warning("stripe event for another session of the checkout; ignored", metadata: meta)
            return .ignored
        }
        do {
            try handle(c, outcome)
            return .done
        } catch BillingError.invalidField(let field, let message) {
            c.logger.error(
                "stripe payment refused; needs a person",
                metadata: meta.merging(
                    ["field": "\(field)", "reason": "\(message)"]) { a, _ in a })
            return .refused("\(field): \(message)")
        } catch let e as BillingError {
            c.logger.warning("stripe outcome not applied", metadata: meta.merging(["error": "\(e)"]) { a, _ in a })
            return .refused(e.description)
        } catch {
            c.logger.error("stripe outcome failed", metadata: meta.merging(["error": "\(error)"]) { a, _ in a })
            return .failed
        }
    }

    static func received(_ status: String) -> HTTPResponse {
        struct Received: Encodable {
            var received = true
            var status: String
        }
        return JSON.response(Received(status: status))
    }
}
