import Foundation
import Synchronization
import Logging
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWeb

/// A running Portico: the store, the walled garden, the portal and admin listeners, the daily
/// run's scheduler and the reconciler.
public final class PorticoServer: Sendable {
    public let configuration: PorticoConfiguration
    public let context: WebContext
    let portal: HTTPServer
    let admin: HTTPServer
    let logger: Logger
    let background: BackgroundLoops
    /// The allowlist's host names, resolved in the background (issue 4, `PorticoServer+Allowlist.swift`).
    let allowlist: AllowlistResolver

    /// Opens the database, rebuilds the walled garden from it, and binds both listeners.
    public init(configuration: PorticoConfiguration, logger: Logger, clock: InstallationClock? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        let store = try Store(path: configuration.databasePath)
        let clock = try clock ?? InstallationClock(timeZone: store.settings.billing.timeZone)
        let firewall = try Self.makeFirewall(configuration, logger: logger)
        let gateway: any PaymentGateway =
            switch configuration.gateway {
            case .test: TestGateway(secret: try store.secret(named: "test-gateway") { randomBytes(32) })
            case .stripe: try StripeGateway(settings: configuration.stripe, now: { clock.instant() })
            }
        let templates = try Templates(directory: configuration.templatesDirectory ?? Templates.defaultDirectory())
        let branding = Branding(ispName: configuration.ispName, contact: configuration.contact,
                                portalURL: configuration.effectivePortalURL, venueInfoURL: configuration.venueInfoURL)
        context = try WebContext(store: store, firewall: firewall, clock: clock, gateway: gateway, templates: templates,
                                 branding: branding, logger: logger)
        let portalHandler = Portal(context: context, options: PortalOptions(
            trustedProxies: configuration.trustedProxies, extraHosts: [configuration.portalListen.host]))
        var portalHTTP = configuration.portalHTTP
        portalHTTP.host = configuration.portalListen.host
        portalHTTP.port = configuration.portalListen.port
        portal = HTTPServer(configuration: portalHTTP, logger: logger) { portalHandler.handle($0) }
        let adminHandler = AdminSite(context: context)
        var adminHTTP = configuration.adminHTTP
        adminHTTP.host = configuration.adminListen.host
        adminHTTP.port = configuration.adminListen.port
        admin = HTTPServer(configuration: adminHTTP, logger: logger) { adminHandler.handle($0) }
        background = BackgroundLoops()
        allowlist = AllowlistResolver(  // issue 4: configured names + the gateway's hosts
            hosts: configuration.allowedHosts + gateway.allowedHosts,
            timeout: .seconds(configuration.resolverTimeoutSeconds), logger: logger)
    }

    static func makeFirewall(_ c: PorticoConfiguration, logger: Logger) throws -> any WalledGardenFirewall {
        switch c.firewall {
        case .off:
            return OffFirewall()
        case .nftables:
            return try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: c.dnatIPv4 ?? c.portalListen.host, portalIPv6: c.dnatIPv6, portalPort: c.portalListen.port,
                    dnsServers: c.dnsServers, allowedDestinations: c.allowedDestinations,
                    clientInterfaces: c.clientInterfaces, networkNamespace: c.networkNamespace),
                logger: logger)
        }
    }

    /// What the walled garden must hold: the stopped addresses from the database, and the
    /// allowed destinations (the portal itself and the configured ones).
    public func walledGardenState() throws -> WalledGardenState {
        var allowed = configuration.allowedDestinations
        if let portalIP = try? IPPrefix(configuration.dnatIPv4 ?? configuration.portalListen.host) { allowed.append(portalIP) }
        allowed += allowlist.addresses  // issue 4: last good addresses of the allowed hosts; never resolves here
        return WalledGardenState(suspended: try context.store.stoppedAddresses().sorted(), allowed: allowed)
    }

    /// Catches billing up, rebuilds the walled garden, starts listening and the background loops.
    public func start() throws {
        try runDueBilling()
        allowlist.refresh()  // issue 4: bounded by resolverTimeoutSeconds; nothing to do without names
        try context.firewall.rebuild(walledGardenState())
        try context.reloadDirectory()
        try portal.start()
        try admin.start()
        logger.info("portico started", metadata: [
            "portal": "\(configuration.portalListen.host):\(portal.port)", "admin": "\(configuration.adminListen.host):\(admin.port)",
            "firewall": "\(configuration.firewall.rawValue)",
        ])
        background.start(every: configuration.schedulerTickSeconds) { [self] in
            do { try runDueBilling() } catch { logger.error("billing run failed", metadata: ["error": "\(error)"]) }
        }
        background.start(every: configuration.reconcileIntervalSeconds) { [self] in
            do {
                let report = try context.firewall.reconcile(walledGardenState())
                if !report.isClean { logger.warning("walled garden drift repaired", metadata: ["report": "\(report)"]) }
            } catch {
                logger.error("reconciler failed", metadata: ["error": "\(error)"])
            }
        }
        startAllowlistRefresh()  // issue 4
    }

    public var portalPort: UInt16 { portal.port }
    public var adminPort: UInt16 { admin.port }

    /// Runs billing through today once today's `billing.runAt` has passed, and through
    /// yesterday at any time (catching up after downtime, date by date).
    public func runDueBilling() throws {
        let settings = context.store.settings
        let now = context.clock.instant()
        let today = context.clock.date(of: now)
        let parts = settings.billing.runAt.split(separator: ":").compactMap { Int($0) }
        let minutesNow = context.clock.minuteOfDay(now)
        let through = minutesNow >= (parts.first ?? 0) * 60 + (parts.last ?? 5) ? today : today.adding(days: -1)
        if let last = try context.store.lastRunDate(), last >= through { return }
        let report = try context.store.runBilling(through: through)
        context.apply(report.delta)
        if !report.dates.isEmpty {
            logger.info("billing run", metadata: ["through": "\(through)", "dates": "\(report.dates.count)",
                                                  "documents": "\(report.documentsIssued)",
                                                  "suspended": "\(report.delta.suspend.count)",
                                                  "released": "\(report.delta.release.count)"])
        }
    }

    /// Stops accepting, lets in-flight requests finish, stops the loops.
    public func stop() {
        background.stop()
        portal.stop()
        admin.stop()
    }
}

/// Timer loops on their own threads; `stop` ends them at their next wake-up.
final class BackgroundLoops: Sendable {
    let stopped = Atomic(false)

    func start(every seconds: Int, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            while !isStopped {
                for _ in 0..<max(1, seconds * 10) where !isStopped { usleep(100_000) }
                if !isStopped { body() }
            }
        }
        thread.start()
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
