import ArgumentParser
import PorticoApp

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
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the sets in the kernel with the database; exit 1 on any drift.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var target: Target

        func run() throws {
            let clean = try options.installation().firewallStatus(
                backend: target.firewall, portalListen: target.portalListen, flags: target.walledGarden.flags
            ) { print($0) }
            if !clean { throw ExitCode(1) }
        }
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile the kernel's sets with the database once and print what was repaired.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var target: Target

        func run() throws {
            try options.installation().firewallSync(
                backend: target.firewall, portalListen: target.portalListen, flags: target.walledGarden.flags
            ) { print($0) }
        }
    }
}
