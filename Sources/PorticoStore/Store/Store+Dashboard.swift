import PorticoCore

/// What the dashboard shows.
public struct DashboardFigures: Hashable, Sendable {
    /// Services by the status the last run or action wrote (what the walled garden reflects).
    public var servicesByStatus: [ServiceStatus: Int]
    public var clients: Int
    /// Unpaid amounts of invoices past their due date, and how many clients owe them.
    public var overdueTotal: Money
    public var overdueClients: Int
    /// Status changes written today out of `suspended`, and into it.
    public var releasesToday: Int
    public var suspensionsToday: Int
    public var queuedMessages: Int
    public var lastRun: LocalDate?
}

// The figures on the admin's dashboard.
extension Store {
    public func dashboard(on today: LocalDate) throws -> DashboardFigures {
        try read { db, _ in
            var byStatus: [ServiceStatus: Int] = [:]
            try db.query("SELECT status, count(*) FROM services GROUP BY status") {
                if let s = ServiceStatus(rawValue: $0.string(0)) { byStatus[s] = Int($0.int(1)) }
            }
            let overdue =
                try db.queryOne(
                    """
                    SELECT coalesce(sum(d.total - s.paid), 0), count(DISTINCT s.client_id) FROM invoice_state s
                    JOIN documents d ON d.id = s.document_id WHERE s.open = 1 AND d.due_on < ?
                    """, [today]
                ) { (Money($0.int(0)), Int($0.int(1))) } ?? (.zero, 0)
            func count(_ sql: String, _ params: [any SQLBindable] = []) throws -> Int {
                Int(try db.scalarInt(sql, params) ?? 0)
            }
            return DashboardFigures(
                servicesByStatus: byStatus, clients: try count("SELECT count(*) FROM clients"),
                overdueTotal: overdue.0, overdueClients: overdue.1,
                releasesToday: try count(
                    "SELECT count(*) FROM audit_log WHERE on_date = ? AND event = 'status' AND from_status = 'suspended' AND to_status != 'suspended'",
                    [today]),
                suspensionsToday: try count(
                    "SELECT count(*) FROM audit_log WHERE on_date = ? AND event = 'status' AND to_status = 'suspended'",
                    [today]),
                queuedMessages: try count("SELECT count(*) FROM outbox WHERE status = 'queued'"),
                lastRun: try Self.lastRun(db))
        }
    }
}
