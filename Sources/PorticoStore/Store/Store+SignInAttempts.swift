import PorticoCore

/// The failed sign-ins that count against a username and an address (Unix seconds, oldest first).
public struct SignInFailures: Hashable, Sendable {
    public var byUsername: [Int64]
    public var byAddress: [Int64]
}

// Sign-in attempts, which the admin UI's throttle counts.
extension Store {
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
}
