import PorticoCore

extension Store {
    /// Parses addresses; the error names the entry (`addresses[2]`).
    static func parseAddresses(_ list: [String]) throws -> [IPPrefix] {
        var out: [IPPrefix] = []
        for (i, text) in list.enumerated() {
            let p: IPPrefix
            do { p = try IPPrefix(text) } catch {
                throw BillingError.invalidField("addresses[\(i)]", error.description)
            }
            if let clash = out.first(where: { $0.overlaps(p) }) {
                throw BillingError.invalidField("addresses[\(i)]", "\(p) overlaps \(clash) in the same request")
            }
            out.append(p)
        }
        return out
    }

    /// Refuses an address that overlaps another service's, except a primary and a secondary of
    /// the same client (a vacation hold runs on the connection it overrides).
    static func checkAddresses(
        _ db: Database, _ list: [IPPrefix], clientId: Int64, role: OverrideRole,
        excluding: Int64?
    ) throws {
        for p in list {
            for (serviceId, owner, ownerRole, address) in try overlapping(db, p) where serviceId != excluding {
                let holdPair = owner == clientId && Set([role, ownerRole]) == Set([.primary, .secondary])
                if !holdPair {
                    throw BillingError.overlappingAddress(address: "\(p) (\(address))", serviceId: serviceId)
                }
            }
        }
    }

    /// Services whose addresses overlap `p`: prefixes containing its first address (found by
    /// exact lookups of each shorter prefix), and prefixes starting inside it (a range query).
    static func overlapping(_ db: Database, _ p: IPPrefix) throws -> [(Int64, Int64, OverrideRole, String)] {
        var out: [(Int64, Int64, OverrideRole, String)] = []
        let select = """
            SELECT a.service_id, s.client_id, s.override_role, a.address FROM service_addresses a
            JOIN services s ON s.id = a.service_id
            """
        func collect(_ row: Row) {
            out.append((row.int(0), row.int(1), OverrideRole(rawValue: row.string(2)) ?? .none, row.string(3)))
        }
        for length in 0...p.length {
            if let ancestor = try? IPPrefix(family: p.family, bytes: IPPrefix.masked(p.bytes, length), length: length) {
                try db.query(select + " WHERE a.address = ?", [ancestor.description], collect)
            }
        }
        try db.query(
            select + " WHERE a.family = ? AND a.start_hex > ? AND a.start_hex < ?",
            [p.family.rawValue, hexString(p.bytes), p.endBytes.map { hexString($0) } ?? "g"], collect)
        return out
    }

    static func insertAddresses(_ db: Database, _ serviceId: Int64, _ list: [IPPrefix]) throws {
        for p in list {
            try db.run(
                "INSERT INTO service_addresses(service_id, address, family, start_hex, end_hex) VALUES (?, ?, ?, ?, ?)",
                [
                    serviceId, p.description, p.family.rawValue, hexString(p.bytes),
                    p.endBytes.map { hexString($0) } ?? "g",
                ])
        }
    }
}
