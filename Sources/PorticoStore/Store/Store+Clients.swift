import PorticoCore

extension Store {
    public func createClient(_ client: ClientRecord) throws -> ClientRecord {
        if client.name.trimmingCharacters(in: " \t").isEmpty {
            throw BillingError.invalidField("name", "must not be empty")
        }
        if !client.email.isEmpty && !Self.looksLikeEmail(client.email) {
            throw BillingError.invalidField("email", "'\(client.email)' is not an email address")
        }
        return try write { db, _ in
            try db.run(
                "INSERT INTO clients(name, email, use_credit) VALUES (?, ?, ?)",
                [client.name, client.email, client.useCreditAutomatically])
            return try Self.client(db, db.lastInsertRowID)
        }
    }

    public func client(_ id: Int64) throws -> ClientRecord {
        try read { db, _ in try Self.client(db, id) }
    }

    public func clients() throws -> [ClientRecord] {
        try read { db, _ in
            try db.queryAll("SELECT id FROM clients ORDER BY id") { $0.int(0) }.map { try Self.client(db, $0) }
        }
    }

    static func client(_ db: Database, _ id: Int64) throws -> ClientRecord {
        guard
            var c = try db.queryOne(
                "SELECT * FROM clients WHERE id = ?", [id],
                { row in
                    ClientRecord(
                        id: row.int("id"), name: row.string("name"), email: row.string("email"),
                        useCreditAutomatically: row.optionalBool("use_credit"), credit: row.money("credit"))
                })
        else { throw BillingError.notFound(kind: "client", id: String(id)) }
        c.balanceDue = Money(
            try db.scalarInt(
                "SELECT coalesce(sum(d.total - s.paid), 0) FROM invoice_state s JOIN documents d ON d.id = s.document_id WHERE s.client_id = ? AND s.open = 1",
                [id]) ?? 0)
        return c
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(" ")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        return String(drop(while: { chars.contains($0) }).reversed().drop(while: { chars.contains($0) }).reversed())
    }
}
