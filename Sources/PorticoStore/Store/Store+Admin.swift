import PorticoCore

/// A person who signs in to the admin UI.
public struct AdminUser: Hashable, Sendable {
    public var id: Int64
    public var username: String
    /// Self-describing hash (`scrypt$N$r$p$salt$hash`); the store never sees a password.
    public var passwordHash: String
}

/// A live admin session, found by the hash of its cookie's token.
public struct AdminSessionRecord: Hashable, Sendable {
    public var tokenHash: String
    public var userId: Int64
    public var username: String
    public var createdAt: Int64
    public var expiresAt: Int64
}

/// The failed sign-ins that count against a username and an address (Unix seconds, oldest first).
public struct SignInFailures: Hashable, Sendable {
    public var byUsername: [Int64]
    public var byAddress: [Int64]
}

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

/// A client in the admin's list, with its services' stored statuses.
public struct ClientSummary: Hashable, Sendable {
    public var client: ClientRecord
    public var statuses: [ServiceStatus]
}

// Queries and changes of the admin UI: users, sessions, the sign-in throttle, portal texts,
// plan roles, the dashboard, the audit log.
extension Store {
    // MARK: Users and sessions

    public func createAdminUser(username: String, passwordHash: String, on date: LocalDate) throws -> AdminUser {
        let name = username.trimmingCharacters(in: " \t")
        guard !name.isEmpty, name.count <= 64, !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw BillingError.invalidField("username", "must be 1–64 characters without spaces")
        }
        return try write { db, _ in
            if try db.scalarInt("SELECT count(*) FROM admin_users WHERE username = ?", [name])! > 0 {
                throw BillingError.invalidField("username", "an admin named '\(name)' already exists")
            }
            try db.run(
                "INSERT INTO admin_users(username, password_hash, created_on) VALUES (?, ?, ?)",
                [name, passwordHash, date])
            try Self.audit(db, on: date, clientId: nil, serviceId: nil, event: "admin created", reason: name)
            return AdminUser(id: db.lastInsertRowID, username: name, passwordHash: passwordHash)
        }
    }

    public func adminUser(named username: String) throws -> AdminUser? {
        try read { db, _ in
            try db.queryOne("SELECT id, username, password_hash FROM admin_users WHERE username = ?", [username]) {
                AdminUser(id: $0.int(0), username: $0.string(1), passwordHash: $0.string(2))
            }
        }
    }

    /// Stores a session (the caller hashes the token) and drops expired ones.
    public func createAdminSession(
        tokenHash: String, userId: Int64, now: Int64, lifetime: Int64,
        address: String
    ) throws {
        try write { db, _ in
            try db.run("DELETE FROM admin_sessions WHERE expires_at <= ?", [now])
            try db.run(
                "INSERT INTO admin_sessions(token_hash, user_id, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)",
                [tokenHash, userId, now, now + lifetime, address])
        }
    }

    /// The unexpired session with this token hash.
    public func adminSession(tokenHash: String, now: Int64) throws -> AdminSessionRecord? {
        try read { db, _ in
            try db.queryOne(
                """
                SELECT s.token_hash, s.user_id, u.username, s.created_at, s.expires_at FROM admin_sessions s
                JOIN admin_users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?
                """, [tokenHash, now]
            ) {
                AdminSessionRecord(
                    tokenHash: $0.string(0), userId: $0.int(1), username: $0.string(2),
                    createdAt: $0.int(3), expiresAt: $0.int(4))
            }
        }
    }

    public func deleteAdminSession(tokenHash: String) throws {
        try write { db, _ in try db.run("DELETE FROM admin_sessions WHERE token_hash = ?", [tokenHash]) }
    }

    // MARK: Sign-in throttle

    /// Records an attempt; rows older than a day are dropped on the way.
    public func recordSignInAttempt(username: String, address: String, at now: Int64, succeeded: Bool) throws {
        try write { db, _ in
            try db.run("DELETE FROM admin_sign_in_attempts WHERE at < ?", [now - 86_400])
            try db.run(
                "INSERT INTO admin_sign_in_attempts(username, address, at, succeeded) VALUES (?, ?, ?, ?)",
                [username, address, now, succeeded])
        }
    }

    /// Failed attempts since `since` that came after the last success, for the username and for
    /// the address separately.
    public func signInFailures(username: String, address: String, since: Int64) throws -> SignInFailures {
        try read { db, _ in
            func failures(_ column: String, _ value: String) throws -> [Int64] {
                try db.queryAll(
                    """
                    SELECT at FROM admin_sign_in_attempts WHERE \(column) = ? AND succeeded = 0 AND at >= ?
                      AND id > coalesce((SELECT max(id) FROM admin_sign_in_attempts WHERE \(column) = ? AND succeeded = 1), 0)
                    ORDER BY id
                    """, [value, since, value]
                ) { $0.int(0) }
            }
            return SignInFailures(
                byUsername: try failures("username", username),
                byAddress: try failures("address", address))
        }
    }

    // MARK: Portal texts

    /// Admin-edited portal texts: language → key → text.
    public func portalTexts() throws -> [String: [String: String]] {
        try read { db, _ in
            var out: [String: [String: String]] = [:]
            try db.query("SELECT key, language, value FROM portal_texts") {
                out[$0.string(1), default: [:]][$0.string(0)] = $0.string(2)
            }
            return out
        }
    }

    /// Sets portal texts; an empty (or blank) text removes the override, so the catalogue's applies.
    public func setPortalTexts(
        _ texts: [(key: String, language: String, value: String)], on date: LocalDate,
        by actor: String
    ) throws {
        try write { db, _ in
            var changed: [String] = []
            for t in texts {
                let old = try db.queryOne(
                    "SELECT value FROM portal_texts WHERE key = ? AND language = ?",
                    [t.key, t.language]
                ) { $0.string(0) }
                let value = t.value.trimmingCharacters(in: " \t\r\n")
                if value.isEmpty {
                    guard old != nil else { continue }
                    try db.run("DELETE FROM portal_texts WHERE key = ? AND language = ?", [t.key, t.language])
                } else {
                    guard old != value else { continue }
                    try db.run(
                        "INSERT INTO portal_texts(key, language, value) VALUES (?, ?, ?) ON CONFLICT(key, language) DO UPDATE SET value = excluded.value",
                        [t.key, t.language, value])
                }
                changed.append("\(t.language):\(t.key)")
            }
            if !changed.isEmpty {
                try Self.audit(
                    db, on: date, clientId: nil, serviceId: nil, event: "portal texts changed",
                    reason: "by \(actor): " + changed.joined(separator: ", "))
            }
        }
    }

    // MARK: Plans

    /// Changes a plan's default override role. Existing services keep the role they have (it was
    /// copied when each was created); returns how many services on the plan have another role.
    public func setPlanRole(_ planId: Int64, _ role: OverrideRole, on date: LocalDate, by actor: String) throws
        -> (plan: Plan, servicesWithOtherRole: Int)
    {
        try write { db, _ in
            let plan = try Self.plan(db, planId)
            try db.run("UPDATE plans SET override_role = ? WHERE id = ?", [role.rawValue, planId])
            try Self.audit(
                db, on: date, clientId: nil, serviceId: nil, event: "plan role changed",
                reason:
                    "by \(actor): \(plan.name) \(plan.overrideRole.rawValue) → \(role.rawValue); existing services unchanged"
            )
            return (try Self.plan(db, planId), try Self.servicesWithOtherRole(db, planId))
        }
    }

    /// Services on each plan whose role is not the plan's (plan id → count).
    public func servicesWithOtherRole() throws -> [Int64: Int] {
        try read { db, _ in
            var out: [Int64: Int] = [:]
            try db.query(
                "SELECT s.plan_id, count(*) FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.override_role != p.override_role GROUP BY s.plan_id"
            ) { out[$0.int(0)] = Int($0.int(1)) }
            return out
        }
    }

    static func servicesWithOtherRole(_ db: Database, _ planId: Int64) throws -> Int {
        Int(
            try db.scalarInt(
                "SELECT count(*) FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.plan_id = ? AND s.override_role != p.override_role",
                [planId]) ?? 0)
    }

    // MARK: Lists

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

    // MARK: Dashboard

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

    // MARK: Vacation hold

    /// The primary of `serviceId`'s client that covers `date` or starts after it: the hold a
    /// secondary is (or will be) under. For a primary, itself.
    public func holdPrimary(of serviceId: Int64, on date: LocalDate) throws -> ServiceRecord? {
        let service = try self.service(serviceId, on: date)
        if service.service.overrideRole == .primary { return service }
        guard service.service.overrideRole == .secondary else { return nil }
        return try services(clientId: service.service.clientId, on: date).first { r in
            r.service.overrideRole == .primary
                && r.service.terms.contains { $0.end.map { $0 > date } ?? true }
        }
    }
}
