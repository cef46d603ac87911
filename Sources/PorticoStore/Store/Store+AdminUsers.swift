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

// The people who sign in to the admin UI, and their sessions.
extension Store {
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
}
