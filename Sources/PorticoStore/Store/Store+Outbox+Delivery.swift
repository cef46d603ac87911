import PorticoCore

/// How many outbox messages are in each state.
public struct OutboxCounts: Sendable, Equatable {
    public var queued = 0
    public var sent = 0
    public var failed = 0

    public init(queued: Int = 0, sent: Int = 0, failed: Int = 0) {
        self.queued = queued
        self.sent = sent
        self.failed = failed
    }
}

extension Store {
    /// Takes up to `limit` queued messages whose time has come (`next_attempt_at <= now`, Unix
    /// seconds) and moves their next attempt to `now + leaseSeconds`, in one transaction: a
    /// second Portico sending from the same database does not take them meanwhile, and a
    /// message whose sender died is tried again once the lease runs out.
    public func claimDueOutbox(now: Int64, leaseSeconds: Int64, limit: Int) throws -> [OutboxMessage] {
        let anyDue = try read { db, _ in
            try db.scalarInt("SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?", [now]) ?? 0
        }
        guard anyDue > 0 else { return [] }
        return try write { db, _ in
            let due = try db.queryAll(
                """
                SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
                ORDER BY next_attempt_at, id LIMIT ?
                """, [now, Int64(limit)], Self.outboxMessage)
            for m in due {
                try db.run("UPDATE outbox SET next_attempt_at = ? WHERE id = ?", [now + leaseSeconds, m.id])
            }
            return due
        }
    }

    /// The server accepted the message.
    public func markOutboxSent(id: Int64) throws {
        try write { db, _ in
            try db.run("UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = '' WHERE id = ?", [id])
        }
    }

    /// The attempt failed; try again at `nextAttemptAt` (Unix seconds).
    public func markOutboxRetry(id: Int64, error: String, nextAttemptAt: Int64) throws {
        try write { db, _ in
            try db.run(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                [error, nextAttemptAt, id])
        }
    }

    /// The message will not be delivered (refused for good, or out of attempts).
    public func markOutboxFailed(id: Int64, error: String) throws {
        try write { db, _ in
            try db.run(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
                [error, id])
        }
    }

    public func outboxCounts() throws -> OutboxCounts {
        try read { db, _ in
            var c = OutboxCounts()
            try db.query("SELECT status, count(*) FROM outbox GROUP BY status") { row in
                switch row.string(0) {
                case "queued": c.queued = Int(row.int(1))
                case "sent": c.sent = Int(row.int(1))
                case "failed": c.failed = Int(row.int(1))
                default: break
                }
            }
            return c
        }
    }

    /// Adds a message to the outbox (for tests and `portico doctor --send-test-mail`); the
    /// billing code queues its own messages in the transaction that causes them.
    @discardableResult
    public func enqueueMail(
        recipient: String, subject: String, text: String, html: String = "", kind: String,
        on date: LocalDate, clientId: Int64? = nil
    ) throws -> Int64 {
        try write { db, _ in
            try db.run(
                """
                INSERT INTO outbox(client_id, recipient, subject, text_body, html_body, kind, created_on)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [clientId.map { SQLValue.integer($0) } ?? SQLValue.null, recipient, subject, text, html, kind, date])
            return db.lastInsertRowID
        }
    }

    /// Re-reads the billing settings from the database (another process, such as `portico` on
    /// the command line, may have changed them). SIGHUP calls it.
    public func reloadSettings() throws {
        try locked { inner in inner.settings = try Self.loadSettings(inner.db) }
    }

    /// `PRAGMA user_version`: the schema version this database is at.
    public func schemaVersion() throws -> Int {
        try read { db, _ in Int(try db.scalarInt("PRAGMA user_version") ?? 0) }
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: empty when the file is sound.
    public func integrityProblems() throws -> [String] {
        try read { db, _ in
            var problems = try db.queryAll("PRAGMA integrity_check") { $0.string(0) }.filter { $0 != "ok" }
            try db.query("PRAGMA foreign_key_check") { row in
                problems.append("foreign key: table \(row.string(0)) row \(row.int(1)) → \(row.string(2))")
            }
            return problems
        }
    }

}
