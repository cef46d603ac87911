import ArgumentParser
import Logging
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoStore

/// `portico firewall status|sync`: the kernel's walled garden against the database (SPEC §9).
struct Firewall: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The walled garden in nftables against the database.", subcommands: [Status.self, Sync.self])

    /// What `serve` would build from: the configuration (file, environment, `--set`), then the
    /// backend and portal listener (the DNAT target) and the walled-garden flags given here.
    struct Target: ParsableArguments {
        @Option(help: "Walled-garden backend: nftables or off (default: the configuration's, else nftables).")
        var firewall: String?
        @Option(help: "The portal listener serve uses, HOST:PORT (its port is the DNAT port).") var portalListen:
            String?
        @OptionGroup var walledGarden: FirewallOptions

        func configuration(_ options: CommonOptions) throws -> PorticoConfiguration {
            let loaded = try options.load(validate: false)
            var c = loaded.configuration
            // These commands are about the kernel: nftables unless the configuration says otherwise.
            if loaded.origins["firewall.backend"] == nil { c.firewall = .nftables }
            if let firewall {
                guard let backend = FirewallBackend(rawValue: firewall) else {
                    throw CLIError("firewall: '\(firewall)' is not nftables or off")
                }
                c.firewall = backend
            }
            if let v = portalListen { c.portalListen = try reporting { try ListenAddress(v, field: "portal-listen") } }
            try walledGarden.apply(to: &c)
            return c
        }
    }

    static func logger() -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "portico.firewall")
        logger.logLevel = .warning
        return logger
    }

    static func list(_ prefixes: [IPPrefix]) -> String {
        let shown = prefixes.prefix(20).map(\.description).joined(separator: " ")
        return "(\(prefixes.count))" + (prefixes.isEmpty ? "" : ": " + shown + (prefixes.count > 20 ? " …" : ""))
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the sets in the kernel with the database; exit 1 on any drift.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var target: Target

        func run() throws {
            let c = try target.configuration(options)
            let logger = Firewall.logger()
            let store = try options.openStore()
            let state = try WalledGardenMaintenance.expectedState(c, store: store, logger: logger)
            print("database \(c.databasePath): \(state.suspended.count) stopped address(es)")
            guard c.firewall == .nftables else {
                print("firewall backend off: no kernel state to compare")
                return
            }
            let status = try WalledGardenMaintenance.firewall(c, logger: logger).status(state)
            let place = c.networkNamespace.map { "network namespace \($0)" } ?? "this network namespace"
            print(
                "kernel (\(place)): table inet portico \(status.tablePresent ? "present" : "MISSING")"
                    + (status.tablePresent
                        ? ", rules \(status.rulesMatch ? "as configured" : "DIFFER from the configuration")" : ""))
            print("suspended sets: \(status.suspended.count) in the kernel, \(state.suspended.count) in the database")
            let expectedAllowed = status.allowed.count - status.allowedUnexpected.count + status.allowedMissing.count
            print("allowed sets: \(status.allowed.count) in the kernel, \(expectedAllowed) expected")
            if status.isClean {
                print("drift: none")
                return
            }
            if !status.missing.isEmpty {
                print("drift: in the database, not in the kernel \(Firewall.list(status.missing))")
            }
            if !status.unexpected.isEmpty {
                print("drift: in the kernel, not in the database \(Firewall.list(status.unexpected))")
            }
            if !status.allowedMissing.isEmpty {
                print("drift: allowed, missing from the kernel \(Firewall.list(status.allowedMissing))")
            }
            if !status.allowedUnexpected.isEmpty {
                print("drift: allowed in the kernel, not configured \(Firewall.list(status.allowedUnexpected))")
            }
            if !status.tablePresent || !status.rulesMatch { print("drift: the table must be rebuilt") }
            print("run `portico firewall sync` (or wait for the reconciler of a running serve) to repair it")
            throw ExitCode(1)
        }
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile the kernel's sets with the database once and print what was repaired.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var target: Target

        func run() throws {
            let c = try target.configuration(options)
            guard c.firewall == .nftables else { throw CLIError("firewall: sync needs the nftables backend") }
            let logger = Firewall.logger()
            let store = try options.openStore()
            let state = try WalledGardenMaintenance.expectedState(c, store: store, logger: logger)
            let report = try WalledGardenMaintenance.firewall(c, logger: logger).reconcile(state)
            print("database \(c.databasePath): \(state.suspended.count) stopped address(es)")
            if report.isClean {
                print("sync: nothing to repair")
                return
            }
            if report.tableRebuilt { print("sync: table inet portico rebuilt (missing or not as configured)") }
            print("sync: suspended added \(Firewall.list(report.added))")
            print("sync: suspended removed \(Firewall.list(report.removed))")
            print("sync: allowed added \(Firewall.list(report.allowedAdded))")
            print("sync: allowed removed \(Firewall.list(report.allowedRemoved))")
        }
    }
}
