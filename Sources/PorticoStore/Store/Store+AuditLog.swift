import PorticoCore

/// One row of the audit log.
public struct AuditEntry: Hashable, Sendable {
    public var id: Int64
    public var date: LocalDate
    public var clientId: Int64?
    public var clientName: String?
    public var serviceId: Int64?
    public var event: String
    public var from: String?
    public var to: String?
    public var reason: String
}

// The audit log: what changed, when, by whom and why.
extension Store {
    /// The audit log, newest first; one client's when `clientId` is set.
    public func auditLog(clientId: Int64? = nil, limit: Int, offset: Int = 0) throws -> [AuditEntry] {
        try read { db, _ in
            let (sql, params) = Self.newestFirst(
                "SELECT a.*, c.name AS client_name FROM audit_log a LEFT JOIN clients c ON c.id = a.client_id",
                table: "a", clientId: clientId, limit: limit, offset: offset)
            return try db.queryAll(sql, params) { row in
                AuditEntry(
                    id: row.int("id"), date: try row.date("on_date"), clientId: row.optionalInt("client_id"),
                    clientName: row.optionalString("client_name"), serviceId: row.optionalInt("service_id"),
                    event: row.string("event"), from: row.optionalString("from_status"),
                    to: row.optionalString("to_status"), reason: row.string("reason"))
            }
        }
    }

    /// Writes an audit entry for an admin's action that no store operation records itself.
    public func auditAdminAction(on date: LocalDate, event: String, reason: String, clientId: Int64? = nil) throws {
        try write { db, _ in
            try Self.audit(db, on: date, clientId: clientId, serviceId: nil, event: event, reason: reason)
        }
    }
}
