import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Clients and their services: lists, creation, changes, manual suspension and release.
extension AdminUI {
    func clients(_ r: AdminRequest) throws -> HTTPResponse {
        let size = 50
        let search = (r.http.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let list = try store.clientSummaries(search: search, limit: size, offset: (r.pageNumber - 1) * size)
        return page(
            "clients", title: "Clients", section: "clients", r,
            [
                "search": search,
                "clients": list.map { c -> [String: Any] in
                    [
                        "id": c.client.id, "name": c.client.name, "email": c.client.email,
                        "balance": money(c.client.balanceDue), "credit": money(c.client.credit),
                        "statuses": c.statuses.map { ["status": Self.statusLabel($0), "statusClass": $0.rawValue] },
                    ]
                },
                "pager": pager(
                    r, count: list.count, size: size,
                    base: search.isEmpty ? "/clients" : "/clients?q=\(URLText.encode(search))"),
                "newClient": newClientForm(r.fill("/clients")),
            ])
    }

    func createClient(_ r: AdminRequest) throws -> HTTPResponse {
        let useCredit: Bool? =
            switch r.field("useCredit") {
            case "yes": true
            case "no": false
            default: nil
            }
        let saved = try store.createClient(
            ClientRecord(
                name: r.field("name"), email: r.field("email"),
                useCreditAutomatically: useCredit))
        return HTTPResponse.redirect(to: "/clients/\(saved.id)", status: 303)
            .settingCookie(Flash(kind: .ok, text: "Client \(saved.name) created.").cookie)
    }

    func client(_ r: AdminRequest) throws -> HTTPResponse {
        let id = try r.id("client")
        let client = try store.client(id)
        let today = context.clock.today()
        let services = try store.services(clientId: id, on: today)
        let plans = try store.plans()
        let vacationPlans = plans.filter { $0.overrideRole == .primary }
        let settings = store.settings
        let serviceRows = try services.map { s -> [String: Any] in
            var v = serviceValues(s)
            // A hold needs a secondary whose term still runs (or is still to come).
            guard s.service.overrideRole == .secondary, (s.service.terms.last?.end).map({ $0 > today }) ?? true
            else { return v }
            v["holdable"] = true
            if let primary = try store.holdPrimary(of: s.id, on: today), let term = primary.service.terms.last {
                let earliestEnd = max(today, term.start.adding(days: 1))
                let end = r.fill("/services/\(primary.id)/hold/end/review")
                v["hold"] = [
                    "primaryId": primary.id, "plan": primary.service.planName, "from": term.start.description,
                    "to": term.end.map { $0.adding(days: -1).description } ?? "open",
                    "endOn": end.text("on", earliestEnd.description),
                ]
            } else {
                let hold = r.fill("/services/\(s.id)/hold/review")
                v["holdPlans"] = hold.options("planId", vacationPlans.map { (String($0.id), $0.name) }, selected: nil)
                v["hasHoldPlans"] = !vacationPlans.isEmpty
                v["holdFrom"] = hold.text("from", today.description)
                v["holdMonths"] = hold.text("months", String(settings.vacationHold.defaultMonths))
            }
            return v
        }
        return page(
            "client", title: client.name, section: "clients", r,
            [
                "client": [
                    "id": client.id, "name": client.name, "email": client.email, "balance": money(client.balanceDue),
                    "credit": money(client.credit),
                    "useCredit": client.useCreditAutomatically.map { $0 ? "yes" : "no" }
                        ?? "installation default (\(settings.invoicing.useCreditAutomatically ? "yes" : "no"))",
                ],
                "services": serviceRows,
                "newService": newServiceForm(r.fill("/services"), plans: plans, today: today),
                "newPayment": newPaymentForm(r.fill("/payments"), today: today),
                "hasPlans": !plans.isEmpty,
                "documents": try store.documents(clientId: id).reversed().map { documentValues($0) },
                "payments": try store.payments(clientId: id).reversed().map { paymentValues($0) },
                "messages": try store.outboxMessages(clientId: id, limit: 20).map(outboxValues),
                "audit": try store.auditLog(clientId: id, limit: 20).map(auditValues),
            ])
    }

    func createService(_ r: AdminRequest) throws -> HTTPResponse {
        let clientId = try parseId(r.field("clientId"), field: "clientId")
        let new = NewService(
            clientId: clientId, planId: try parseId(r.field("planId"), field: "planId"),
            price: r.field("price").isEmpty ? nil : try parseMoney(r.field("price"), field: "price"),
            billingPeriodMonths: r.field("billingPeriodMonths").isEmpty
                ? nil : try parseInt(r.field("billingPeriodMonths"), field: "billingPeriodMonths", in: 1...24),
            invoicingType: r.field("invoicingType").isEmpty
                ? nil : try choice(r.field("invoicingType"), InvoicingType.self, field: "invoicingType"),
            activeFrom: try startDate(r.field("activeFrom"), field: "activeFrom"),
            activeTo: try optionalDate(r.field("activeTo"), field: "activeTo"),
            overrideRole: r.field("overrideRole").isEmpty
                ? nil : try choice(r.field("overrideRole"), OverrideRole.self, field: "overrideRole"),
            addresses: addressList(r.field("addresses")))
        let saved = try store.createService(new, on: context.clock.today())
        try context.walledGarden.refresh(clientId: clientId)
        return r.back(
            default: "/clients/\(clientId)",
            flash: Flash(kind: .ok, text: "Service \(saved.id) (\(saved.service.planName)) created."))
    }

    func service(_ r: AdminRequest) throws -> HTTPResponse {
        let today = context.clock.today()
        let s = try store.service(r.id("service"), on: today)
        let client = try store.client(s.service.clientId)
        return page(
            "service", title: "Service \(s.id)", section: "clients", r,
            [
                "service": serviceValues(s), "clientName": client.name,
                "suspendedByAdmin": try store.isSuspendedByAdmin(serviceId: s.id, on: today),
                "canSuspend": s.service.term(covering: today) != nil,
                "isSuspended": s.status == .suspended,
                "suspendReason": r.fill("/services/\(s.id)/suspend").text("reason", ""),
                "releaseReason": r.fill("/services/\(s.id)/release").text("reason", ""),
                "change": changeServiceForm(r.fill("/services/\(s.id)"), s),
            ])
    }

    /// Changes `activeTo`, addresses, role, price or invoicing type. Blank `activeTo` opens the
    /// term; blank price follows the plan's.
    func updateService(_ r: AdminRequest) throws -> HTTPResponse {
        let id = try r.id("service")
        let today = context.clock.today()
        let current = try store.service(id, on: today)
        var patch = ServicePatch()
        let activeTo = try optionalDate(r.field("activeTo"), field: "activeTo")
        if activeTo != current.service.activeTo { patch.activeTo = .some(activeTo) }
        let role = try choice(r.field("overrideRole"), OverrideRole.self, field: "overrideRole")
        if role != current.service.overrideRole { patch.overrideRole = role }
        let price = r.field("price").isEmpty ? nil : try parseMoney(r.field("price"), field: "price")
        if price != current.customPrice { patch.price = .some(price) }
        let type =
            r.field("invoicingType").isEmpty
            ? nil : try choice(r.field("invoicingType"), InvoicingType.self, field: "invoicingType")
        if type != current.service.invoicingType { patch.invoicingType = .some(type) }
        let addresses = addressList(r.field("addresses"))
        if addresses != current.service.addresses.map(\.description) { patch.addresses = addresses }
        _ = try store.updateService(id, patch, on: today)
        try context.walledGarden.refresh(clientId: current.service.clientId)
        return r.back(
            default: "/services/\(id)",
            flash: Flash(kind: .ok, text: "Service \(id) saved. The next billing run bills any difference."))
    }

    func suspend(_ r: AdminRequest) throws -> HTTPResponse {
        let id = try r.id("service")
        guard !r.field("reason").isEmpty else { throw AdminInputError("reason", "say why the service is suspended") }
        let delta = try store.suspend(
            serviceId: id, on: context.clock.today(),
            reason: "\(r.field("reason")) (by \(r.session.username))")
        context.walledGarden.apply(delta)
        return r.back(default: "/services/\(id)", flash: Flash(kind: .ok, text: "Service \(id) suspended."))
    }

    func release(_ r: AdminRequest) throws -> HTTPResponse {
        let id = try r.id("service")
        guard !r.field("reason").isEmpty else { throw AdminInputError("reason", "say why the service is released") }
        let delta = try store.release(
            serviceId: id, on: context.clock.today(),
            reason: "\(r.field("reason")) (by \(r.session.username))")
        context.walledGarden.apply(delta)
        return r.back(
            default: "/services/\(id)",
            flash: Flash(
                kind: .ok,
                text: "Service \(id) released. A client who still owes is suspended again by the next daily run."))
    }

    // MARK: Forms, as the page shows them or as typed

    static let invoicingChoices = [("", "installation default"), ("forward", "forward"), ("backward", "backward")]

    func newClientForm(_ f: FormFill) -> [String: Any] {
        [
            "name": f.text("name", ""), "email": f.text("email", ""),
            "useCredit": f.options(
                "useCredit", [("", "installation default"), ("yes", "yes"), ("no", "no")], selected: nil),
        ]
    }

    func newServiceForm(_ f: FormFill, plans: [Plan], today: LocalDate) -> [String: Any] {
        let planChoices = plans.map { p in
            (
                String(p.id),
                "\(p.name) (\(p.overrideRole.rawValue); periods \(p.billingPeriods.map(String.init).joined(separator: ", ")))"
            )
        }
        return [
            "plans": f.options("planId", planChoices, selected: nil),
            "billingPeriodMonths": f.text("billingPeriodMonths", ""), "price": f.text("price", ""),
            "invoicingTypes": f.options("invoicingType", Self.invoicingChoices, selected: nil),
            "activeFrom": f.text("activeFrom", today.description), "activeTo": f.text("activeTo", ""),
            "roles": f.options(
                "overrideRole",
                [("", "the plan's"), ("secondary", "secondary"), ("primary", "primary"), ("none", "none")],
                selected: nil),
            "addresses": f.text("addresses", ""),
        ]
    }

    func newPaymentForm(_ f: FormFill, today: LocalDate) -> [String: Any] {
        [
            "amount": f.text("amount", ""), "receivedOn": f.text("receivedOn", today.description),
            "method": f.text("method", "cash"), "reference": f.text("reference", ""),
        ]
    }

    /// The service page's form of changes, from the service as it is.
    func changeServiceForm(_ f: FormFill, _ r: ServiceRecord) -> [String: Any] {
        let s = r.service
        return [
            "id": s.id, "activeTo": f.text("activeTo", s.activeTo?.description ?? ""),
            "roles": f.options(
                "overrideRole", [("secondary", "secondary"), ("primary", "primary"), ("none", "none")],
                selected: s.overrideRole.rawValue),
            "price": f.text("price", r.customPrice.map { amountInput($0) } ?? ""),
            "invoicingTypes": f.options("invoicingType", Self.invoicingChoices, selected: s.invoicingType?.rawValue),
            "addresses": f.text("addresses", s.addresses.map(\.description).joined(separator: "\n")),
        ]
    }
}
