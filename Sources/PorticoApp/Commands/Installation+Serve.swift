import Dispatch
import Foundation
import Logging
import PorticoCore
import Synchronization

// `serve` and `demo`: the server in the foreground until SIGTERM or SIGINT.
extension Installation {
    /// `portico serve`: the configuration with the walled-garden flags over it, served until
    /// SIGTERM or SIGINT (then drained; returns for exit 0). SIGHUP reloads templates, billing
    /// settings and the configuration's live keys from the same sources. `output` gets the
    /// banner once the server is up.
    public func serve(walledGarden: WalledGardenFlags, output: @escaping @Sendable (String) -> Void) throws {
        let loaded = try load()
        var c = loaded.configuration
        try walledGarden.apply(to: &c)
        try Self.serve(c, loaded: loaded, reload: reloader) { s in output(s.listenerURLs) }
    }

    /// `portico demo`: fills the database with plans, clients and services in every state (once)
    /// and runs billing through today; then, unless `populateOnly`, serves it with the test
    /// gateway as `serve` does.
    public func demo(
        walledGarden: WalledGardenFlags, populateOnly: Bool, output: @escaping @Sendable (String) -> Void
    ) throws {
        let store = try openStore()
        let today = try today(store)
        let summary = try reporting { try Demo.populate(store, today: today) }
        store.close()
        output("demo database \(store.path), billing run through \(today): \(summary.documents) documents")
        if populateOnly {
            for c in summary.clients {
                output("  \(c.name.padding(14)) \(c.address.padding(12)) \(c.status.rawValue)")
            }
            return
        }
        let loaded = try load()
        var c = loaded.configuration
        try walledGarden.apply(to: &c)
        if loaded.origins["isp.name"] == nil { c.ispName = "Demo ISP" }
        if loaded.origins["isp.contact"] == nil { c.contact = "support@demo-isp.example · +1 555 0100" }
        let clients = summary.clients.map { ($0.name, $0.address, $0.status.rawValue) }
        try Self.serve(c, loaded: loaded) { [c] s in
            let portal = "http://\(c.portalListen.host):\(s.portalPort)/"
            output("portal  \(portal)")
            output("admin   http://\(c.adminListen.host):\(s.adminPort)/api/v1/")
            output("clients (try: curl --interface ADDRESS \(portal)):")
            for (name, address, status) in clients {
                output("  \(address.padding(12)) \(name.padding(14)) \(status)")
            }
            output("Ctrl-C stops.")
        }
    }

    /// Starts the server, runs its services until SIGTERM or SIGINT, drains, and returns.
    static func serve(
        _ configuration: PorticoConfiguration, loaded: LoadedConfiguration? = nil,
        reload: (@Sendable () throws -> LoadedConfiguration)? = nil,
        banner: @escaping @Sendable (PorticoServer) -> Void
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
            throw CommandError("\(error)")
        }
        // The services run on Swift's concurrency pool; this thread only waits for them. The
        // banner comes once SIGTERM, SIGINT and SIGHUP are handled.
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
        if let message = failure.withLock({ $0 }) { throw CommandError(message) }
    }
}

extension String {
    /// Padded with spaces to `width` characters (the demo's listings).
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
