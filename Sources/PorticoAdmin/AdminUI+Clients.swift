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
                v["hold"] = [
                    "primaryId": primary.id, "plan": primary.service.planName, "from": term.start.description,
                    "to": term.end.map { $0.adding(days: -1).description } ?? "open", "endOn": earliestEnd.description,
                ]
            } else {
                v["holdPlans"] = vacationPlans.map { ["id": $0.id, "name": $0.name] }
                v["hasHoldPlans"] = !vacationPlans.isEmpty
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
                "plans": plans.map { p -> [String: Any] in
                    [
                        "id": p.id, "name": p.name, "role": p.overrideRole.rawValue,
                        "periods": p.billingPeriods.map(String.init).joined(separator: ", "),
                    ]
                },
                "hasPlans": !plans.isEmpty,
                "holdMonths": settings.vacationHold.defaultMonths,
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
}
