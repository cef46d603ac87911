import ArgumentParser
import Foundation
import Logging
import PorticoApp
import PorticoCore
import PorticoWeb

/// Listener and firewall options of `serve` and `demo`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Portal listener, HOST:PORT.") var portalListen: String?
    @Option(help: "Admin listener (API and UI), HOST:PORT.") var adminListen: String?
    @Option(help: "Walled-garden backend: nftables or off.") var firewall: String?
    @Option(help: "The portal's public URL (default http://<portal listen>).") var portalURL: String?
    @Option(help: "Directory of the Mustache templates.") var templates: String?
    @Option(help: "Connections one client address may hold open on the portal (default 64).")
    var portalConnectionsPerAddress: Int?
    @Option(help: "Portal worker threads (default 2).") var portalThreads: Int?

    func apply(to c: inout PorticoConfiguration) throws {
        if let v = portalListen { c.portalListen = try ListenAddress(v, field: "portal-listen") }
        if let v = adminListen { c.adminListen = try ListenAddress(v, field: "admin-listen") }
        if let v = firewall {
            guard let b = FirewallBackend(rawValue: v) else { throw CLIError("firewall: '\(v)' is not nftables or off") }
            c.firewall = b
        }
        if let v = portalURL { c.portalURL = v }
        if let v = templates { c.templatesDirectory = v }
        if let v = portalConnectionsPerAddress { c.portalHTTP.perAddressConnectionLimit = v }
        if let v = portalThreads { c.portalHTTP.threadPoolSize = v }
    }
}

/// Starts the server and blocks until SIGINT or SIGTERM, then stops it cleanly.
func serve(_ configuration: PorticoConfiguration, banner: (PorticoServer) -> Void) throws {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    let logger = Logger(label: "portico")
    let server = try PorticoServer(configuration: configuration, logger: logger)
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    // Blocked before any thread starts, so every thread inherits the mask and sigwait below gets them.
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    try server.start()
    banner(server)
    fflush(nil)
    var received: Int32 = 0
    sigwait(&signals, &received)
    logger.info("stopping", metadata: ["signal": "\(received)"])
    server.stop()
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the portal, the admin API and the daily billing run.")
    @OptionGroup var options: CommonOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var walledGarden: FirewallOptions  // issue 4

    func run() throws {
        var c = PorticoConfiguration()
        c.databasePath = options.database
        try reporting { try server.apply(to: &c) }
        try walledGarden.apply(to: &c)  // issue 4
        try serve(c) { s in
            print("portal http://\(c.portalListen.host):\(s.portalPort)/  admin http://\(c.adminListen.host):\(s.adminPort)/")
        }
    }
}
