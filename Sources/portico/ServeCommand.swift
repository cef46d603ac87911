import ArgumentParser
import Dispatch
import Foundation
import Logging
import PorticoApp
import PorticoCore
import PorticoWeb
import Synchronization

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

/// Starts the server, runs its services until SIGTERM or SIGINT, drains, and returns (exit 0).
/// SIGHUP reloads templates, billing settings and the configuration's live keys.
func serve(
    _ configuration: PorticoConfiguration, loaded: LoadedConfiguration? = nil,
    reload: (@Sendable () throws -> LoadedConfiguration)? = nil, banner: @escaping @Sendable (PorticoServer) -> Void
) throws {
    let level = SharedLogLevel(configuration.logLevel)
    LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level) }
    let logger = Logger(label: "portico")
    let server: PorticoServer
    do {
        server = try PorticoServer(
            configuration: configuration, logger: logger, logLevel: level, loaded: loaded,
            reload: reload)
        try server.start()
    } catch {
        throw CLIError("\(error)")
    }
    // The services run on Swift's concurrency pool; this thread only waits for them. The banner
    // comes once SIGTERM, SIGINT and SIGHUP are handled.
    let done = DispatchSemaphore(value: 0)
    let failure = Mutex<String?>(nil)
    let announce = { @Sendable in
        banner(server)
        fflush(nil)
    }
    Task.detached {
        do { try await server.run(ready: announce) } catch { failure.withLock { $0 = "\(error)" } }
        done.signal()
    }
    done.wait()
    if let message = failure.withLock({ $0 }) { throw CLIError(message) }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the portal, the admin API, the daily billing run, the reconciler and the mail sender.")
    @OptionGroup var options: CommonOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var walledGarden: FirewallOptions  // issue 4

    func run() throws {
        let loaded = try options.load(server: server)
        var c = loaded.configuration
        try walledGarden.apply(to: &c)
        try serve(c, loaded: loaded, reload: try options.reloader(server: server)) { s in print(s.listenerURLs) }
    }
}
