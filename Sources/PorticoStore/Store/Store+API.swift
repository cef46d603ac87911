import PorticoCore

// Queries the admin API needs beyond the other repositories'.
extension Store {
    /// Revokes every live API token named `name`; returns how many. A revoked token is refused
    /// from the next request on.
    @discardableResult
    public func revokeAPITokens(named name: String) throws -> Int {
        try write { db, _ in
            try db.run("UPDATE api_tokens SET revoked = 1 WHERE name = ? AND revoked = 0", [name])
            return db.changes
        }
    }
}
