import PorticoCore
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport

extension Portal {
    enum CheckoutKind { case reactivation, prepayment, overdue }

    /// Reads a posted portal form and checks its CSRF token; the error is the page to show.
    static func form(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer)
        -> Result<(fields: [String: String], entry: ClientDirectory.Entry, address: String), PortalFailure>
    {
        let address = clientAddress(req, o)
        guard let entry = c.directory.lookup(address) else { return .failure(PortalFailure(unknownPage(c, req, o, l))) }
        guard let fields = try? req.formValues() else {
            return .failure(PortalFailure(message(c, l, 400, l.t("message.formUnreadable"))))
        }
        guard c.csrf.isValid(fields["csrf"], for: address, on: c.clock.today()) else {
            return .failure(PortalFailure(message(c, l, 403, l.t("message.formExpired"))))
        }
        return .success((fields, entry, address))
    }

    struct PortalFailure: Error { let response: HTTPResponse; init(_ r: HTTPResponse) { response = r } }

    /// POST /reactivate, /prepay, /pay: stores a checkout for the quoted amount and sends the
    /// browser to the gateway.
    static func startCheckout(
        _ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer,
        kind: CheckoutKind
    ) -> HTTPResponse {
        let posted: (fields: [String: String], entry: ClientDirectory.Entry, address: String)
        switch form(c, req, o, l) {
        case .failure(let f): return f.response
        case .success(let v): posted = v
        }
        // The gateway may take seconds (or its time-out) to answer: the checkout is made on the
        // listener's worker pool while this thread serves other clients; a client has at most
        // `checkoutsPerClient` under way.
        return .later(
            key: "checkout " + posted.address, limit: o.checkoutsPerClient,
            whenBusy: message(c, l, 429, l.t("message.checkoutUnderWay"))
        ) {
            createCheckout(c, l, kind: kind, posted)
        }
    }

    /// The rest of `startCheckout`, on a worker thread: quote, store the checkout, ask the gateway.
    static func createCheckout(
        _ c: PortalContext, _ l: Localizer, kind: CheckoutKind,
        _ posted: (fields: [String: String], entry: ClientDirectory.Entry, address: String)
    ) -> HTTPResponse {
        let today = c.clock.today()
        let clientId = posted.entry.clientId
        do {
            var months = 0
            if kind != .overdue {
                guard let text = posted.fields["months"], let m = Int(text) else {
                    return message(c, l, 400, l.t("message.chooseMonths"))
                }
                months = m
            }
            let purpose: Quote.Purpose
            let description: String
            switch kind {
            case .reactivation:
                let services = try c.store.services(clientId: clientId, on: today)
                let chosen = posted.fields["service"].flatMap { Int64($0) }
                guard let service = services.first(where: { $0.status == .ended && (chosen == nil || $0.id == chosen) })
                else { return message(c, l, 409, l.t("message.nothingToReactivate")) }
                purpose = .reactivation(serviceId: service.id, months: months)
                description = "Reactivation, \(months) month\(months == 1 ? "" : "s")"
            case .prepayment:
                purpose = .prepayment(months: months)
                description = "Overdue invoices and \(months) month\(months == 1 ? "" : "s") in advance"
            case .overdue:
                purpose = .overdueOnly
                description = "Overdue invoices"
            }
            let quote = try c.store.quote(clientId: clientId, purpose: purpose, on: today)
            guard quote.total > .zero else { return message(c, l, 409, l.t("message.nothingToPay")) }
            let id = "chk_" + hexString(randomBytes(16))
            let checkout = try c.store.createCheckout(
                id: id, quote: quote, description: description,
                gateway: c.gateway.name, on: today, clientAddress: posted.address)
            let request = CheckoutRequest(
                checkoutId: id, amount: checkout.amount, currency: checkout.currency, description: description,
                successURL: c.branding.preferredURL + "/checkout/" + id, cancelURL: c.branding.preferredURL + "/")
            let session: GatewayCheckout
            do {
                session = try c.gateway.createCheckout(request)
            } catch {
                _ = try c.store.failCheckout(id, status: .failed, reason: error.description)
                c.logger.warning("gateway refused a checkout", metadata: ["checkout": "\(id)", "error": "\(error)"])
                return message(c, l, 502, l.t("message.gatewayUnavailable"))
            }
            try c.store.setCheckoutGatewayReference(id, session.reference)
            return .redirect(to: session.redirectURL, status: 303)
        } catch {
            return failure(c, l, error)
        }
    }

    /// POST /postpone: pushes the suspension back once per overdue invoice.
    static func postpone(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer) -> HTTPResponse {
        switch form(c, req, o, l) {
        case .failure(let f): return f.response
        case .success(let posted):
            do {
                let delta = try c.store.postpone(clientId: posted.entry.clientId, on: c.clock.today())
                c.walledGarden.apply(delta)
                return .redirect(to: c.branding.portalURL + "/", status: 303)
            } catch {
                return failure(c, l, error)
            }
        }
    }

    /// GET /checkout/{id}: progress, then "you are back online" once the release happened.
    static func checkoutPage(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer, id: String)
        -> HTTPResponse
    {
        guard let checkout = try? c.store.checkout(id),
            let entry = c.directory.lookup(clientAddress(req, o)), entry.clientId == checkout.clientId
        else { return message(c, l, 404, l.t("message.noCheckout")) }
        let currency = Currency.named(checkout.currency) ?? .usd
        var ctx = common(c, l)
        ctx["description"] = checkout.description
        ctx["amount"] = currency.format(checkout.amount)
        switch checkout.status {
        case .open:
            ctx["waiting"] = true
        case .paid:
            if entry.stopped { ctx["finishing"] = true } else { ctx["online"] = true }
            if !checkout.failure.isEmpty { ctx["note"] = l.t("checkout.keptAsCredit") }
        case .declined, .failed:
            ctx["failed"] = true
            ctx["reason"] = l.t(checkout.status == .declined ? "checkout.declined" : "checkout.failed")
        }
        var r = HTTPResponse.html(c.templates.render("portal/checkout", ctx))
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    // MARK: The test gateway's own page

    static func testGatewayPage(_ c: PortalContext, _ req: HTTPRequest, _ l: Localizer, id: String) -> HTTPResponse {
        guard let gateway = c.gateway as? TestGateway, let checkout = try? c.store.checkout(id),
            checkout.gateway == "test"
        else { return message(c, l, 404, l.t("message.noCheckout")) }
        let currency = Currency.named(checkout.currency) ?? .usd
        var ctx: [String: Any] = [
            "ispName": c.branding.ispName, "id": id, "description": checkout.description,
            "displayAmount": currency.format(checkout.amount), "open": checkout.status == .open,
            "lang": "en",
        ]
        for (k, v) in gateway.formFields(checkoutId: id, amount: checkout.amount, currency: checkout.currency) {
            ctx[k] = v
        }
        var r = HTTPResponse.html(c.templates.render("portal/test-gateway", ctx))
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    /// POST /test-gateway/checkout/{id} with `outcome=paid|declined`: the gateway's confirmation.
    static func testGatewayPost(_ c: PortalContext, _ req: HTTPRequest, _ l: Localizer, id: String) -> HTTPResponse {
        // The test gateway stands for a provider's own pages: its messages are not translated.
        guard c.gateway is TestGateway else { return message(c, l, 404, "The test gateway is not enabled.") }
        guard let fields = try? req.formValues() else { return message(c, l, 400, "The form could not be read.") }
        do {
            guard let outcome = try c.gateway.verify(GatewayCallback(kind: .form, checkoutId: id, form: fields)) else {
                return .redirect(to: "/checkout/\(id)", status: 303)
            }
            try handle(c, outcome)
            return .redirect(to: "/checkout/\(id)", status: 303)
        } catch let e as GatewayError {
            return message(c, l, 400, e.description)
        } catch {
            return failure(c, l, error)
        }
    }

    /// Carries out a verified gateway outcome: confirm (exactly once) and release, or decline.
    public static func handle(_ c: PortalContext, _ outcome: GatewayOutcome) throws {
        let today = c.clock.today()
        switch outcome.result {
        case .paid(let amount, let currency):
            let confirmation = try c.store.confirmCheckout(
                outcome.checkoutId, gatewayReference: outcome.reference,
                amount: amount, currency: currency, on: today)
            c.walledGarden.apply(confirmation.delta)
            if confirmation.isNew {
                c.logger.info(
                    "payment confirmed",
                    metadata: [
                        "checkout": "\(outcome.checkoutId)",
                        "amount": "\(amount)", "released": "\(confirmation.delta.release.count)",
                    ])
            }
        case .declined(let reason):
            _ = try c.store.failCheckout(outcome.checkoutId, status: .declined, reason: reason)
        }
    }
}
