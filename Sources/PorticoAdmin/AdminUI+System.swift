import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// The dashboard, the billing run, the walled garden, the audit log and the outbox.
extension AdminUI {
    func dashboard(_ r: AdminRequest) throws -> HTTPResponse {
        let today = context.clock.today()
        let f = try store.dashboard(on: today)
        let count = { (s: ServiceStatus) in f.servicesByStatus[s] ?? 0 }
        return page(
            "dashboard", title: "Dashboard", section: "dashboard", r,
            [
                "active": count(.active), "suspended": count(.suspended), "ended": count(.ended),
                "onHold": count(.overridden), "pending": count(.pending), "clients": f.clients,
                "overdueTotal": money(f.overdueTotal), "overdueClients": f.overdueClients,
                "releasesToday": f.releasesToday, "suspensionsToday": f.suspensionsToday,
                "queued": f.queuedMessages, "lastRun": f.lastRun?.description ?? "never",
                "runDate": r.fill("/billing/run").text("date", today.description),
                "recent": try store.auditLog(limit: 8).map(auditValues),
            ])
    }

    /// The daily run through a date (default today): simulations and catching up by hand.
    func runBilling(_ r: AdminRequest) throws -> HTTPResponse {
        let through = try effectiveDate(r.field("date"), field: "date")
        let report = try store.runBilling(through: through)
        context.walledGarden.apply(report.delta)
        try store.auditAdminAction(
            on: context.clock.today(), event: "billing run",
            reason: "by \(r.session.username) through \(through)")
        let text =
            report.dates.isEmpty
            ? "Billing is already up to date through \(through)."
            : "Ran \(report.dates.count) date(s) through \(through): \(report.documentsIssued) document(s), \(report.delta.suspend.count) address(es) suspended, \(report.delta.release.count) released."
        return r.back(default: "/", flash: Flash(kind: .ok, text: text))
    }

    /// The walled garden's sets as the local firewall reports them, against the database's truth.
    func walledGarden(_ r: AdminRequest) throws -> HTTPResponse {
        let status = try context.walledGarden.status()
        let database = status.stopped
        let target = status.targets.first { $0.kind == .localFirewall }
        var firewallError = ""
        if case .unreachable(let why) = target?.state { firewallError = "The firewall could not be read: \(why)" }
        let firewall = target?.held ?? []
        let rows = database.union(firewall).sorted().prefix(500).map { p -> [String: Any] in
            let owner = context.walledGarden.client(owning: p)
            return [
                "address": p.description, "inDatabase": database.contains(p), "inFirewall": firewall.contains(p),
                "clientId": owner ?? 0, "hasClient": owner != nil,
            ]
        }
        return page(
            "walled-garden", title: "Walled garden", section: "walled-garden", r,
            [
                "databaseCount": database.count, "firewallCount": firewall.count,
                "inSync": target?.state == .inSync,
                "firewallError": firewallError,
                "missing": (target?.missing ?? database.sorted()).map(\.description),
                "extra": (target?.extra ?? []).map(\.description),
                "rows": Array(rows), "truncated": database.union(firewall).count > 500,
            ])
    }

    func audit(_ r: AdminRequest) throws -> HTTPResponse {
        let size = 100
        let clientId = r.http.query["client"].flatMap { Int64($0) }
        let entries = try store.auditLog(clientId: clientId, limit: size, offset: (r.pageNumber - 1) * size)
        let base = clientId.map { "/audit?client=\($0)" } ?? "/audit"
        return page(
            "audit", title: "Audit log", section: "audit", r,
            [
                "entries": entries.map(auditValues), "pager": pager(r, count: entries.count, size: size, base: base),
                "clientName": try clientId.map { try store.client($0).name } ?? "",
            ])
    }

    func outbox(_ r: AdminRequest) throws -> HTTPResponse {
        let size = 100
        let messages = try store.outboxMessages(limit: size, offset: (r.pageNumber - 1) * size)
        let names = clientNames(messages.compactMap(\.clientId))
        return page(
            "outbox", title: "Outbox", section: "outbox", r,
            [
                "messages": messages.map { m -> [String: Any] in
                    var v = outboxValues(m)
                    v["clientName"] = m.clientId.flatMap { names[$0] } ?? ""
                    return v
                },
                "pager": pager(r, count: messages.count, size: size, base: "/outbox"),
            ])
    }

    func outboxMessage(_ r: AdminRequest) throws -> HTTPResponse {
        let m = try store.outboxMessage(r.id("message"))
        var v = outboxValues(m)
        v["text"] = m.text
        v["clientName"] = try m.clientId.map { try store.client($0).name } ?? ""
        return page("outbox-message", title: m.subject, section: "outbox", r, ["message": v])
    }

    /// The HTML body as the client will see it, sandboxed: no scripts, no requests, no forms.
    func outboxHTML(_ r: AdminRequest) throws -> HTTPResponse {
        let m = try store.outboxMessage(r.id("message"))
        var response = HTTPResponse.html(m.html)
        response.addHeader("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
        return response
    }
}
