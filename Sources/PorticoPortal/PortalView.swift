import PorticoCore
import PorticoStore
import PorticoWebSupport

/// What the portal page shows one client, computed from the store: why the service is stopped,
/// the overdue invoices and total, the reactivation and prepayment choices with their prices,
/// whether postponing is offered. Turned into the template's context by `context()`.
struct PortalView {
    struct Line {
        enum Reason { case ended, admin, nonPayment }
        var service: ServiceRecord
        var reason: Reason
    }

    var client: ClientRecord
    var stopped: [Line]
    var active: [ServiceRecord]
    var overdue: [DocumentRecord]
    var overdueTotal: Money
    /// (service, months, price of the months, total with overdue)
    var reactivations: [(serviceId: Int64, months: Int, price: Money, total: Money)]
    var prepayments: [(months: Int, price: Money, total: Money)]
    var canPostpone: Bool

    static func load(_ store: Store, clientId: Int64, on today: LocalDate) throws -> PortalView {
        let settings = store.settings
        let client = try store.client(clientId)
        let services = try store.services(clientId: clientId, on: today)
        let openQuote = try store.quote(clientId: clientId, purpose: .overdueOnly, on: today)
        let overdueIds = Set(openQuote.overdue.map(\.id))
        let overdue = try store.documents(clientId: clientId).filter { overdueIds.contains($0.id) }
        var view = PortalView(
            client: client, stopped: [], active: [], overdue: overdue,
            overdueTotal: openQuote.overdueTotal, reactivations: [], prepayments: [], canPostpone: false)
        for s in services where s.status == .suspended || s.status == .ended {
            let reason: Line.Reason
            if s.status == .ended {
                reason = .ended
            } else if try store.isSuspendedByAdmin(serviceId: s.id, on: today) {
                reason = .admin
            } else {
                reason = .nonPayment
            }
            view.stopped.append(Line(service: s, reason: reason))
            if s.status == .ended && settings.reactivation.enabled {
                for m in settings.reactivation.monthChoices {
                    if let q = try? store.quote(
                        clientId: clientId, purpose: .reactivation(serviceId: s.id, months: m), on: today)
                    {
                        view.reactivations.append((s.id, m, q.monthsPrice, q.total))
                    }
                }
            }
        }
        for s in services where s.status == .active || s.status == .overridden { view.active.append(s) }
        if view.stopped.contains(where: { $0.service.status == .suspended }) {
            for m in settings.reactivation.monthChoices {
                if let q = try? store.quote(clientId: clientId, purpose: .prepayment(months: m), on: today) {
                    view.prepayments.append((m, q.monthsPrice, q.total))
                }
            }
            view.canPostpone =
                settings.suspension.allowPostpone
                && SuspensionRule(settings: settings.suspension).overdue(openQuote.overdue, on: today)
                    .contains { !$0.postponed }
        }
        return view
    }

    /// The reason shown for a stopped service, in the client's language (admins may edit it).
    static func reason(_ line: Line, _ l: Localizer) -> String {
        let plan = line.service.service.planName
        return switch line.reason {
        case .ended: l.t("reason.ended", ["plan": plan, "date": line.service.service.activeTo?.description ?? "-"])
        case .admin: l.t("reason.admin", ["plan": plan])
        case .nonPayment: l.t("reason.nonPayment", ["plan": plan])
        }
    }

    func context(currency: Currency, csrf: String, branding: Branding, _ l: Localizer) -> [String: Any] {
        let money = { (m: Money) in currency.format(m) }
        let edited = l.t("contact")
        let notice = l.t("page.notice")
        return [
            "ispName": branding.ispName,
            "contact": edited.isEmpty || edited == "contact" ? branding.contact : edited,
            "lang": l.language,
            "t": l.forTemplates,
            "hello": l.t("hello", ["name": client.name]),
            "notice": notice == "page.notice" ? "" : notice,
            "csrf": csrf,
            "stopped": !stopped.isEmpty,
            "reasons": stopped.map { ["text": Self.reason($0, l)] },
            "activeServices": active.map {
                ["plan": $0.service.planName, "status": l.t("status." + $0.status.rawValue)]
            },
            "hasOverdue": !overdue.isEmpty,
            "overdue": overdue.map { d -> [String: Any] in
                [
                    "number": d.number, "issuedOn": d.issuedOn.description, "dueOn": d.dueOn.description,
                    "amount": money(d.total - d.amountPaid),
                ]
            },
            "overdueTotal": money(overdueTotal),
            "hasReactivation": !reactivations.isEmpty,
            "reactivations": reactivations.enumerated().map { i, r -> [String: Any] in
                [
                    "serviceId": r.serviceId, "months": r.months, "label": "\(l.months(r.months)) · \(money(r.price))",
                    "total": money(r.total), "checked": i == 0,
                ]
            },
            "hasPrepayment": !prepayments.isEmpty,
            "prepayments": prepayments.enumerated().map { i, p -> [String: Any] in
                [
                    "months": p.months, "label": "+ \(l.months(p.months)) · \(money(p.price))", "total": money(p.total),
                    "checked": i == 0,
                ]
            },
            "canPayOverdue": overdueTotal > .zero && !stopped.allSatisfy { $0.service.status == .ended },
            "payButton": l.t("pay.button", ["amount": money(overdueTotal)]),
            "canPostpone": canPostpone,
        ]
    }
}
