import PorticoCore

/// What the kernel holds against what the database says it should: `portico firewall status`
/// and the admin's walled-garden view. Read only; `reconcile` is what repairs.
public struct WalledGardenStatus: Sendable, Equatable {
    /// `inet portico` exists.
    public var tablePresent: Bool
    /// Its sets, chains and rules are the ones this configuration builds.
    public var rulesMatch: Bool
    /// What the suspended sets hold (prefixes, sorted).
    public var suspended: [IPPrefix]
    /// What the allowed sets hold.
    public var allowed: [IPPrefix]
    /// Suspended in the state (the database) but not in the kernel: clients browsing freely.
    public var missing: [IPPrefix]
    /// In the kernel's suspended sets but not in the state: clients wrongly walled in.
    public var unexpected: [IPPrefix]
    /// Allowed destinations the kernel lacks, and ones it holds that it should not.
    public var allowedMissing: [IPPrefix]
    public var allowedUnexpected: [IPPrefix]

    public init(
        tablePresent: Bool, rulesMatch: Bool, suspended: [IPPrefix], allowed: [IPPrefix], missing: [IPPrefix],
        unexpected: [IPPrefix], allowedMissing: [IPPrefix], allowedUnexpected: [IPPrefix]
    ) {
        self.tablePresent = tablePresent
        self.rulesMatch = rulesMatch
        self.suspended = suspended
        self.allowed = allowed
        self.missing = missing
        self.unexpected = unexpected
        self.allowedMissing = allowedMissing
        self.allowedUnexpected = allowedUnexpected
    }

    /// The kernel is what the state says: table present and Portico's, sets equal.
    public var isClean: Bool {
        tablePresent && rulesMatch && missing.isEmpty && unexpected.isEmpty && allowedMissing.isEmpty
            && allowedUnexpected.isEmpty
    }
}

extension NftablesFirewall {
    /// Reads the table and compares it with `state` the way `reconcile` does, changing nothing.
    /// Prefixes are compared after normalisation (covered prefixes dropped), as they are loaded.
    public func status(_ state: WalledGardenState) throws -> WalledGardenStatus {
        let wantSuspended = IPPrefix.normalized(state.suspended)
        let wantAllowed = expectedAllowed(state)
        return try sockets.withLock { s in
            let inspection = try TableInspection.read(socket: s.nftables)
            var suspended: [IPPrefix] = []
            var allowed: [IPPrefix] = []
            if let inspection {
                for spec in Ruleset.suspendedSets where inspection.sets[spec.name] != nil {
                    suspended += try SetElements.read(spec, socket: s.nftables).flatMap(\.prefixes)
                }
                for spec in [Ruleset.allowed4, Ruleset.allowed6] where inspection.sets[spec.name] != nil {
                    allowed += try SetElements.read(spec, socket: s.nftables).flatMap(\.prefixes)
                }
            }
            suspended.sort()
            allowed.sort()
            func minus(_ a: [IPPrefix], _ b: [IPPrefix]) -> [IPPrefix] {
                let other = Set(b)
                return a.filter { !other.contains($0) }
            }
            return WalledGardenStatus(
                tablePresent: inspection != nil, rulesMatch: inspection?.matches(ruleset) ?? false,
                suspended: suspended, allowed: allowed,
                missing: minus(wantSuspended, suspended), unexpected: minus(suspended, wantSuspended),
                allowedMissing: minus(wantAllowed, allowed), allowedUnexpected: minus(allowed, wantAllowed))
        }
    }
}
