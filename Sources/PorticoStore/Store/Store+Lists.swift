import PorticoCore

/// A client in the admin's list, with its services' stored statuses.
public struct ClientSummary: Hashable, Sendable {
    public var client: ClientRecord
    public var statuses: [ServiceStatus]
}

// The admin UI's lists that span clients, a page at a time (the clients by id, documents and
// payments newest first).
extension Store {
    /// Clients whose name or email contains `search` (all when empty), by id, a page at a time.
    public func clientSummaries(search: String, limit: Int, offset: Int) throws -> [ClientSummary] {
        try read { db, _ in
            let pattern =
                "%" + search.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            let ids = try db.queryAll(
                "SELECT id FROM clients WHERE name LIKE ? OR email LIKE ? ORDER BY id LIMIT ? OFFSET ?",
                [pattern, pattern, Int64(limit), Int64(offset)]
            ) { $0.int(0) }
            return try ids.map { id in
                ClientSummary(
                    client: try Self.client(db, id),
                    statuses: try db.queryAll("SELECT status FROM services WHERE client_id = ? ORDER BY id", [id]) {
                        ServiceStatus(rawValue: $0.string(0)) ?? .pending
                    })
            }
        }
    }

    /// The latest documents of every client, newest first.
    public func recentDocuments(limit: Int, offset: Int = 0) throws -> [DocumentRecord] {
        try read { db, _ in
            let ids = try db.queryAll(
                "SELECT id FROM documents ORDER BY id DESC LIMIT ? OFFSET ?",
                [Int64(limit), Int64(offset)]
            ) { $0.int(0) }
            guard let low = ids.last, let high = ids.first else { return [] }
            return try Self.documents(db, where: "d.id BETWEEN ? AND ?", [low, high]).reversed()
        }
    }

    /// The latest payments, newest first.
    public func recentPayments(limit: Int, offset: Int = 0) throws -> [PaymentRecord] {
        try read { db, _ in
            try db.queryAll("SELECT id FROM payments ORDER BY id DESC LIMIT ? OFFSET ?", [Int64(limit), Int64(offset)])
            {
                $0.int(0)
            }.map { try Self.payment(db, $0) }
        }
    }

    /// One page of `select` (rows of a table with `id` and `client_id`, called `table` in it),
    /// newest first; only one client's rows when `clientId` is set.
    static func newestFirst(_ select: String, table: String, clientId: Int64?, limit: Int, offset: Int)
        -> (sql: String, params: [any SQLBindable])
    {
        var sql = select
        var params: [any SQLBindable] = []
        if let clientId {
            sql += " WHERE \(table).client_id = ?"
            params.append(clientId)
        }
        sql += " ORDER BY \(table).id DESC LIMIT ? OFFSET ?"
        params += [Int64(limit), Int64(offset)]
        return (sql, params)
    }
}
