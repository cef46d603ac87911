import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Plans, invoices and credit notes, payments.
extension AdminUI {
    func plans(_ r: AdminRequest) throws -> HTTPResponse {
        let others = try store.servicesWithOtherRole()
        return page(
            "plans", title: "Plans", section: "plans", r,
            [
                "plans": try store.plans().map { p -> [String: Any] in
                    [
                        "id": p.id, "name": p.name, "monthlyPrice": money(p.monthlyPrice),
                        "periods": p.billingPeriods.map { "\($0) month\($0 == 1 ? "" : "s")" }.joined(separator: ", "),
                        "periodPrices": p.periodPrices.keys.sorted().map {
                            ["months": $0, "price": money(p.periodPrices[$0]!)]
                        },
                        "hasPeriodPrices": !p.periodPrices.isEmpty, "role": p.overrideRole.rawValue,
                        "roles": r.fill("/plans/\(p.id)/role").options(
                            "overrideRole", OverrideRole.allCases.map { ($0.rawValue, $0.rawValue) },
                            selected: p.overrideRole.rawValue),
                        "otherRole": others[p.id].map { "\($0) service(s) on this plan have another role." } ?? "",
                    ]
                },
                "currency": currency.code,
                "newPlan": newPlanForm(r.fill("/plans")),
            ])
    }

    func newPlanForm(_ f: FormFill) -> [String: Any] {
        [
            "name": f.text("name", ""), "monthlyPrice": f.text("monthlyPrice", ""),
            "billingPeriods": f.text("billingPeriods", "1"), "periodPrices": f.text("periodPrices", ""),
            "roles": f.options(
                "overrideRole",
                [
                    ("secondary", "secondary (a regular plan a hold can override)"),
                    ("primary", "primary (a vacation plan)"), ("none", "none (never overridden)"),
                ], selected: nil),
        ]
    }

    /// Billing periods as `1, 3, 12`; period prices as `3=85.00, 12=320.00`.
    func createPlan(_ r: AdminRequest) throws -> HTTPResponse {
        var periods: [Int] = []
        for part in r.field("billingPeriods").split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            periods.append(try parseInt(String(part), field: "billingPeriods", in: 1...24))
        }
        var prices: [Int: Money] = [:]
        for part in r.field("periodPrices").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }) {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else {
                throw AdminInputError("periodPrices", "write each as months=price, e.g. 3=85.00")
            }
            prices[try parseInt(pair[0], field: "periodPrices", in: 1...24)] = try parseMoney(
                pair[1], field: "periodPrices")
        }
        let plan = try store.createPlan(
            Plan(
                name: r.field("name"), monthlyPrice: try parseMoney(r.field("monthlyPrice"), field: "monthlyPrice"),
                billingPeriods: periods.isEmpty ? [1] : periods, periodPrices: prices,
                overrideRole: try choice(r.field("overrideRole"), OverrideRole.self, field: "overrideRole")))
        try store.auditAdminAction(
            on: context.clock.today(), event: "plan created",
            reason: "by \(r.session.username): \(plan.name)")
        return r.back(default: "/plans", flash: Flash(kind: .ok, text: "Plan \(plan.name) created."))
    }

    /// Changes a plan's default role; the services already on it keep theirs, and the message
    /// says how many now differ.
    func setPlanRole(_ r: AdminRequest) throws -> HTTPResponse {
        let role = try choice(r.field("overrideRole"), OverrideRole.self, field: "overrideRole")
        let (plan, others) = try store.setPlanRole(
            try r.id("plan"), role, on: context.clock.today(),
            by: r.session.username)
        let note =
            others == 0
            ? "No existing service is affected."
            : "\(others) existing service(s) on it keep their own role; change them on each service's page."
        return r.back(
            default: "/plans",
            flash: Flash(kind: .ok, text: "New services on \(plan.name) will be \(role.rawValue). \(note)"))
    }

    func documents(_ r: AdminRequest) throws -> HTTPResponse {
        let size = 100
        let docs = try store.recentDocuments(limit: size, offset: (r.pageNumber - 1) * size)
        let names = clientNames(docs.map(\.clientId))
        return page(
            "documents", title: "Invoices and credit notes", section: "documents", r,
            [
                "documents": docs.map { documentValues($0, clientName: names[$0.clientId]) },
                "pager": pager(r, count: docs.count, size: size, base: "/documents"),
            ])
    }

    /// One document, laid out to print.
    func document(_ r: AdminRequest) throws -> HTTPResponse {
        let d = try store.document(r.id("document"))
        let client = try store.client(d.clientId)
        var values = documentValues(d, clientName: client.name)
        values["email"] = client.email
        values["corrects"] = try d.corrects.map { try store.document($0).number } ?? ""
        values["correctsId"] = d.corrects ?? 0
        return page(
            "document", title: d.number, section: "documents", r,
            [
                "document": values, "contact": context.branding.contact,
            ])
    }

    func payments(_ r: AdminRequest) throws -> HTTPResponse {
        let size = 100
        let list = try store.recentPayments(limit: size, offset: (r.pageNumber - 1) * size)
        let names = clientNames(list.map(\.clientId))
        return page(
            "payments", title: "Payments", section: "payments", r,
            [
                "payments": list.map { paymentValues($0, clientName: names[$0.clientId]) },
                "pager": pager(r, count: list.count, size: size, base: "/payments"),
            ])
    }

    /// Records a payment; a client it releases leaves the walled garden in this request.
    func recordPayment(_ r: AdminRequest) throws -> HTTPResponse {
        let clientId = try parseId(r.field("clientId"), field: "clientId")
        let amount = try parseMoney(r.field("amount"), field: "amount")
        let result = try store.recordPayment(
            clientId: clientId, amount: amount,
            receivedOn: try effectiveDate(r.field("receivedOn"), field: "receivedOn"),
            method: r.field("method"), reference: r.field("reference"))
        context.walledGarden.apply(result.delta)
        let released = result.delta.release.isEmpty ? "" : " Released \(result.delta.release.count) address(es)."
        return r.back(
            default: "/clients/\(clientId)",
            flash: Flash(
                kind: .ok,
                text:
                    "Payment of \(money(amount)) recorded; \(money(result.payment.creditAdded)) went to credit.\(released)"
            ))
    }
}
