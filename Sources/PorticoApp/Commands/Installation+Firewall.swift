import Logging
import PorticoCore
import PorticoFirewall

// `firewall status|sync`: the kernel's walled garden against the database (SPEC §9).
extension Installation {
    /// `portico firewall status`: compares the sets in the kernel with the database, line by
    /// line to `output`; false on any drift.
    public func firewallStatus(
        backend: String?, portalListen: String?, flags: WalledGardenFlags, output: (String) -> Void
    ) throws -> Bool {
        let c = try firewallConfiguration(backend: backend, portalListen: portalListen, flags: flags)
        let logger = Self.firewallLogger()
        let store = try openStore()
        let state = try WalledGardenMaintenance.expectedState(c, store: store, logger: logger)
        output("database \(c.databasePath): \(state.suspended.count) stopped address(es)")
        guard c.firewall == .nftables else {
            output("firewall backend off: no kernel state to compare")
            return true
        }
        let status = try WalledGardenMaintenance.firewall(c, logger: logger).status(state)
        let place = c.networkNamespace.map { "network namespace \($0)" } ?? "this network namespace"
        output(
            "kernel (\(place)): table inet portico \(status.tablePresent ? "present" : "MISSING")"
                + (status.tablePresent
                    ? ", rules \(status.rulesMatch ? "as configured" : "DIFFER from the configuration")" : ""))
        output("suspended sets: \(status.suspended.count) in the kernel, \(state.suspended.count) in the database")
        let expectedAllowed = status.allowed.count - status.allowedUnexpected.count + status.allowedMissing.count
        output("allowed sets: \(status.allowed.count) in the kernel, \(expectedAllowed) expected")
        if status.isClean {
            output("drift: none")
            return true
        }
        if !status.missing.isEmpty {
            output("drift: in the database, not in the kernel \(Self.list(status.missing))")
        }
        if !status.unexpected.isEmpty {
            output("drift: in the kernel, not in the database \(Self.list(status.unexpected))")
        }
        if !status.allowedMissing.isEmpty {
            output("drift: allowed, missing from the kernel \(Self.list(status.allowedMissing))")
        }
        if !status.allowedUnexpected.isEmpty {
            output("drift: allowed in the kernel, not configured \(Self.list(status.allowedUnexpected))")
        }
        if !status.tablePresent || !status.rulesMatch { output("drift: the table must be rebuilt") }
        output("run `portico firewall sync` (or wait for the reconciler of a running serve) to repair it")
        return false
    }

    /// `portico firewall sync`: reconciles the kernel's sets with the database once and says
    /// what was repaired.
    public func firewallSync(
        backend: String?, portalListen: String?, flags: WalledGardenFlags, output: (String) -> Void
    ) throws {
        let c = try firewallConfiguration(backend: backend, portalListen: portalListen, flags: flags)
        guard c.firewall == .nftables else { throw CommandError("firewall: sync needs the nftables backend") }
        let logger = Self.firewallLogger()
        let store = try openStore()
        let state = try WalledGardenMaintenance.expectedState(c, store: store, logger: logger)
        let report = try WalledGardenMaintenance.firewall(c, logger: logger).reconcile(state)
        output("database \(c.databasePath): \(state.suspended.count) stopped address(es)")
        if report.isClean {
            output("sync: nothing to repair")
            return
        }
        if report.tableRebuilt { output("sync: table inet portico rebuilt (missing or not as configured)") }
        output("sync: suspended added \(Self.list(report.added))")
        output("sync: suspended removed \(Self.list(report.removed))")
        output("sync: allowed added \(Self.list(report.allowedAdded))")
        output("sync: allowed removed \(Self.list(report.allowedRemoved))")
    }

    /// What `serve` would build from: the configuration (file, environment, `--set`), then the
    /// backend and portal listener (the DNAT target) and the walled-garden flags given here.
    /// These commands are about the kernel: nftables unless the configuration says otherwise.
    func firewallConfiguration(backend: String?, portalListen: String?, flags: WalledGardenFlags) throws
        -> PorticoConfiguration
    {
        let loaded = try load(validate: false)
        var c = loaded.configuration
        if loaded.origins["firewall.backend"] == nil { c.firewall = .nftables }
        if let backend {
            guard let chosen = FirewallBackend(rawValue: backend) else {
                throw CommandError("firewall: '\(backend)' is not nftables or off")
            }
            c.firewall = chosen
        }
        if let v = portalListen { c.portalListen = try reporting { try ListenAddress(v, field: "portal-listen") } }
        try flags.apply(to: &c)
        return c
    }

    static func firewallLogger() -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "portico.firewall")
        logger.logLevel = .warning
        return logger
    }

    static func list(_ prefixes: [IPPrefix]) -> String {
        let shown = prefixes.prefix(20).map(\.description).joined(separator: " ")
        return "(\(prefixes.count))" + (prefixes.isEmpty ? "" : ": " + shown + (prefixes.count > 20 ? " …" : ""))
    }
}
