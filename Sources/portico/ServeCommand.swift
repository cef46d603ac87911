import ArgumentParser
import PorticoApp

/// Listener and firewall flags of `serve` and `demo`; each is a configuration key.
struct ServerOptions: ParsableArguments {
    @Option(help: "Portal listener, HOST:PORT (portal.listen).") var portalListen: String?
    @Option(help: "Admin listener (API, UI, /metrics), HOST:PORT (admin.listen).") var adminListen: String?
    @Option(help: "Walled-garden backend: nftables or off (firewall.backend).") var firewall: String?
    @Option(help: "The portal's public URL (portal.url; default http://<portal listen>).") var portalURL: String?
    @Option(help: "Directory of the Mustache templates (templates.directory).") var templates: String?
    @Option(help: "Connections one client address may hold open on the portal (portal.connectionsPerAddress).")
    var portalConnectionsPerAddress: String?
    @Option(help: "Portal worker threads (portal.threads).") var portalThreads: String?

    var flags: [(flag: String, key: String, value: String)] {
        let pairs: [(String, String, String?)] = [
            ("--portal-listen", "portal.listen", portalListen), ("--admin-listen", "admin.listen", adminListen),
            ("--firewall", "firewall.backend", firewall), ("--portal-url", "portal.url", portalURL),
            ("--templates", "templates.directory", templates),
            ("--portal-connections-per-address", "portal.connectionsPerAddress", portalConnectionsPerAddress),
            ("--portal-threads", "portal.threads", portalThreads),
        ]
        return pairs.compactMap { flag, key, value in value.map { (flag, key, $0) } }
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the portal, the admin API, the daily billing run, the reconciler and the mail sender.")
    @OptionGroup var options: CommonOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var walledGarden: FirewallOptions  // issue 4

    func run() throws {
        try options.installation(server).serve(walledGarden: walledGarden.flags) { print($0) }
    }
}
