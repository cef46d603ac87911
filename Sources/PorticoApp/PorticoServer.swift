import Foundation
import Logging
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoMail
import PorticoPayments
import PorticoPortal
import PorticoStore
import PorticoWebSupport
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A running Portico: the store, the walled garden, the portal and admin listeners, and the
/// services that run beside them (daily-run scheduler, reconciler, mail sender, SIGHUP reload).
///
/// `start()` does what must succeed before Portico says it is ready: the catch-up billing run,
/// the walled garden's rebuild, binding both listeners. `run()` then runs everything as one
/// `ServiceGroup` until SIGTERM or SIGINT, and drains in-flight requests before returning.
public final class PorticoServer: Sendable {
    public let configuration: PorticoConfiguration
    public let context: WebContext
    public let metrics: PorticoMetrics
    public let scheduler: BillingScheduler
    let portal: HTTPServer
    /// The portal's HTTPS listener beside the plain one (`portal.tlsListen`), with a certificate.
    let portalTLS: HTTPServer?
    let admin: HTTPServer
    let logger: Logger
    /// What SIGHUP may change without a restart (`ConfigurationKey.live`).
    let live: Mutex<PorticoConfiguration>
    let logLevel: SharedLogLevel?
    /// Reads the configuration again from the same file, environment and flags.
    let reloadSource: (@Sendable () throws -> LoadedConfiguration)?
    let lastValues: Mutex<[String: TOMLValue]>
    /// The allowlist's host names (configured + the gateway's), resolved in the background.
    public let allowlist: AllowlistResolver

    /// Opens the database, builds the walled garden, gateway and handlers, and prepares both
    /// listeners (not bound until `start()`).
    public init(
        configuration: PorticoConfiguration, logger: Logger, clock: InstallationClock? = nil,
        logLevel: SharedLogLevel? = nil, loaded: LoadedConfiguration? = nil,
        reload: (@Sendable () throws -> LoadedConfiguration)? = nil
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.logLevel = logLevel
        reloadSource = reload
        live = Mutex(configuration)
        lastValues = Mutex(loaded?.values ?? [:])
        let metrics = PorticoMetrics()
        self.metrics = metrics
        let store = try Store(path: configuration.databasePath)
        let clock = try clock ?? InstallationClock(timeZone: store.settings.billing.timeZone)
        var firewall = try Self.makeFirewall(configuration, logger: logger)
        if configuration.firewall == .nftables { firewall = InstrumentedFirewall(firewall, metrics: metrics) }
        let gateway: any PaymentGateway =
            switch configuration.gateway {
            case .test: TestGateway(secret: try store.secret(named: "test-gateway") { randomBytes(32) })
            case .stripe: try StripeGateway(settings: configuration.stripe, now: { clock.instant() })
            }
        let templates = try Templates(directory: configuration.templatesDirectory ?? Templates.defaultDirectory())
        let branding = Branding(
            ispName: configuration.ispName, contact: configuration.contact,
            portalURL: configuration.effectivePortalURL, venueInfoURL: configuration.venueInfoURL,
            secureURL: configuration.effectivePortalTLSURL)
        let context = try WebContext(
            store: store, firewall: firewall, clock: clock, gateway: gateway, templates: templates,
            branding: branding, logger: logger)
        self.context = context
        // Changes made through the server queue their emails in their own transaction.
        store.setMessageComposer(context.emailComposer)
        let portalHandler = Portal(
            context: context,
            options: PortalOptions(
                trustedProxies: configuration.trustedProxies,
                extraHosts: [configuration.portalListen.host]
                    + (configuration.effectivePortalTLSListen.map { [$0.host] } ?? [])
            ))
        var portalHTTP = configuration.portalHTTP
        portalHTTP.host = configuration.portalListen.host
        portalHTTP.port = configuration.portalListen.port
        // The certificate is the HTTPS listener's; the plain listener stays plain (DNAT-ed port
        // 80 and OS probes never speak TLS).
        portalHTTP.tls = nil
        // One pool for both portal listeners, so a client's checkout limit holds across them.
        let portalWorkers = WorkerPool(threads: portalHTTP.workerThreads, queueLimit: portalHTTP.workerQueueLimit)
        // Stopped clients' requests for other hosts (nearly all of the portal's traffic) are
        // answered by the fast path; everything else by the portal's handler.
        let portalAnswers = metrics.instrument(
            listener: "portal", ownHosts: portalHandler.ownHosts, fastPath: { portalHandler.fastRedirect($0) }
        ) { portalHandler.handle($0) }
        portal = HTTPServer(
            configuration: portalHTTP, logger: logger, fastPath: portalAnswers.fastPath, workers: portalWorkers,
            handler: portalAnswers.handler)
        if let tlsListen = configuration.effectivePortalTLSListen {
            var portalTLSHTTP = configuration.portalHTTP
            portalTLSHTTP.host = tlsListen.host
            portalTLSHTTP.port = tlsListen.port
            portalTLS = HTTPServer(
                configuration: portalTLSHTTP, logger: logger, fastPath: portalAnswers.fastPath, workers: portalWorkers,
                handler: portalAnswers.handler)
        } else {
            portalTLS = nil
        }
        let adminHandler = AdminSite(context: context, metrics: configuration.metricsEnabled ? metrics.registry : nil)
        var adminHTTP = configuration.adminHTTP
        adminHTTP.host = configuration.adminListen.host
        adminHTTP.port = configuration.adminListen.port
        admin = HTTPServer(
            configuration: adminHTTP, logger: logger,
            handler: metrics.instrument(listener: "admin", ownHosts: []) { adminHandler.handle($0) })
        let allowlist = AllowlistResolver(
            hosts: Self.allowlistHosts(configuration, gateway: gateway.allowedHosts),
            timeout: .seconds(configuration.resolverTimeoutSeconds), logger: logger)
        self.allowlist = allowlist
        scheduler = BillingScheduler(
            store: store, now: { clock.instant() }, logger: logger, metrics: metrics,
            apply: { context.walledGarden.apply($0) },
            ranElsewhere: { [logger] in
                // The other process changed the database's stopped set: follow it at once
                // rather than at the reconciler's next pass.
                do {
                    try context.reloadDirectory()
                    let report = try context.firewall.reconcile(
                        Self.walledGardenState(configuration, store: context.store, hosts: allowlist.addresses))
                    metrics.reconcilerRuns.increment([report.isClean ? "clean" : "repaired"])
                } catch {
                    logger.error("following another process's run failed", metadata: ["error": "\(error)"])
                }
            })
        metrics.addGauges(
            stopped: { context.directory.stoppedCount },
            outbox: { (try? store.outboxCounts()).map { ($0.queued, $0.failed) } },
            lastRun: {
                (try? store.lastRunDate()).flatMap { $0 }.map { Double($0.dayNumber) * 86_400 }
            })
    }

    static func makeFirewall(_ c: PorticoConfiguration, logger: Logger) throws -> any WalledGardenFirewall {
        switch c.firewall {
        case .off:
            return OffFirewall()
        case .nftables:
            return try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: c.dnatIPv4 ?? c.portalListen.host, portalIPv6: c.dnatIPv6,
                    portalPort: c.portalListen.port,
                    dnsServers: c.dnsServers, allowedDestinations: c.allowedDestinations,
                    clientInterfaces: c.clientInterfaces, networkNamespace: c.networkNamespace),
                logger: logger)
        }
    }

    /// What the walled garden must hold: the stopped addresses from the database, and the
    /// allowed destinations (the portal itself and the configured ones).
    public func walledGardenState() throws -> WalledGardenState {
        try Self.walledGardenState(configuration, store: context.store, hosts: allowlist.addresses)
    }

    /// The allowlist's host names: the configured ones, and the payment gateway's unless
    /// `allowGatewayHosts` is off (then `gateway` is not evaluated).
    static func allowlistHosts(_ configuration: PorticoConfiguration, gateway: @autoclosure () -> [String])
        -> [String]
    {
        configuration.allowedHosts + (configuration.allowGatewayHosts ? gateway() : [])
    }

    /// `hosts`: the last good addresses of the allowed host names (never resolved here).
    static func walledGardenState(_ configuration: PorticoConfiguration, store: Store, hosts: [IPPrefix])
        throws -> WalledGardenState
    {
        var allowed = configuration.allowedDestinations + hosts
        if let portalIP = try? IPPrefix(configuration.dnatIPv4 ?? configuration.portalListen.host) {
            allowed.append(portalIP)
        }
        return WalledGardenState(suspended: try store.stoppedAddresses().sorted(), allowed: allowed)
    }

    /// Catches billing up, rebuilds the walled garden, binds both listeners.
    public func start() throws {
        try runDueBilling()
        allowlist.refresh()  // bounded by resolverTimeoutSeconds; nothing to do without names
        try context.firewall.rebuild(walledGardenState())
        try context.reloadDirectory()
        try portal.start()
        try portalTLS?.start()
        try admin.start()
        var listeners: Logger.Metadata = ["portal": "\(configuration.portalListen.host):\(portal.port)"]
        if let portalTLS, let tls = configuration.effectivePortalTLSListen {
            listeners["portal_tls"] = "\(ListenAddress(host: tls.host, port: portalTLS.port))"
        }
        logger.info(
            "portico started",
            metadata: listeners.merging([
                "portal": "\(configuration.portalListen.host):\(portal.port)",
                "admin": "\(configuration.adminListen.host):\(admin.port)",
                "firewall": "\(configuration.firewall.rawValue)", "gateway": "\(configuration.gateway.rawValue)",
                "mail": "\(configuration.smtp.isEnabled ? "on" : "off")", "database": "\(configuration.databasePath)",
            ]) { a, _ in a })
    }

    /// Runs the services until SIGTERM or SIGINT (or, with `signals` false, until the task is
    /// cancelled), then drains: listeners first (in-flight requests finish), then the loops.
    public func run(signals: Bool = true, ready: @Sendable () -> Void = {}) async throws {
        // Every signal Portico handles is trapped before `ready` (the banner) and READY=1, so a
        // SIGTERM or SIGHUP sent the moment Portico says it is up is handled, never fatal.
        let hangups = await UnixSignalsSequence(trapping: signals ? [.sighup] : [])
        let stops = await UnixSignalsSequence(trapping: signals ? [.sigterm, .sigint] : [])
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [
                .init(
                    service: PeriodicService(
                        name: "scheduler", interval: { [self] in live.withLock { $0.schedulerTickSeconds } },
                        body: { [self] in schedulerTick() })),
                .init(
                    service: PeriodicService(
                        name: "reconciler",
                        interval: { [self] in live.withLock { $0.reconcileIntervalSeconds } },
                        body: { [self] in reconcileOnce() })),
                .init(
                    service: PeriodicService(
                        name: "mail", interval: { [self] in live.withLock { $0.smtp.pollSeconds } },
                        body: { [self] in _ = deliverMail() })),
                .init(
                    service: PeriodicService(
                        name: "allowlist", interval: { [self] in configuration.allowedHostsRefreshSeconds },
                        body: { [self] in refreshAllowlist() })),
                .init(service: ReloadService(hangups: hangups, reload: { [self] in _ = reload() })),
                .init(service: ListenerService(name: "admin", server: admin, logger: logger)),
                .init(service: ListenerService(name: "portal", server: portal, logger: logger)),
            ]
            + (portalTLS.map { [.init(service: ListenerService(name: "portal-tls", server: $0, logger: logger))] } ?? [])
            + [
                .init(service: NotifyService(status: "serving portal on \(configuration.portalListen)", logger: logger))
            ]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        ready()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await _ in stops { await group.triggerGracefulShutdown() }
            }
            tasks.addTask { try await group.run() }
            // The service group ends (shutdown done, or a service failed); the signal listener
            // never ends by itself.
            defer { tasks.cancelAll() }
            try await tasks.next()
        }
        // Every service has ended: closing checkpoints the WAL into the database file.
        context.store.close()
        logger.info("portico stopped")
    }

    public var portalPort: UInt16 { portal.port }
    /// The HTTPS listener's port; nil without a portal certificate.
    public var portalTLSPort: UInt16? { portalTLS?.port }
    /// The listeners as the banner shows them: the plain portal, the admin, then the portal's
    /// HTTPS listener when there is one (last, so readers of the first two keep working).
    public var listenerURLs: String {
        var text = "portal http://\(ListenAddress(host: configuration.portalListen.host, port: portal.port))/"
        text += "  admin http://\(ListenAddress(host: configuration.adminListen.host, port: admin.port))/"
        if let portalTLS, let tls = configuration.effectivePortalTLSListen {
            text += "  portal https://\(ListenAddress(host: tls.host, port: portalTLS.port))/"
        }
        return text
    }
    public var adminPort: UInt16 { admin.port }

    /// Runs every daily-run date that is due (see `BillingScheduler`).
    public func runDueBilling() throws {
        try scheduler.tick()
    }

    func schedulerTick() {
        do { try scheduler.tick() } catch {
            metrics.billingErrors.increment()
            logger.error("billing run failed", metadata: ["error": "\(error)"])
        }
    }

    /// One reconciler pass: the kernel sets against the database.
    public func reconcileOnce() {
        do {
            let report = try context.firewall.reconcile(walledGardenState())
            metrics.reconcilerRuns.increment([report.isClean ? "clean" : "repaired"])
            if !report.isClean {
                logger.warning(
                    "walled garden drift repaired",
                    metadata: [
                        "added": "\(report.added.count)", "removed": "\(report.removed.count)",
                        "rebuilt": "\(report.tableRebuilt)", "allowed_added": "\(report.allowedAdded.count)",
                        "allowed_removed": "\(report.allowedRemoved.count)",
                    ])
            }
        } catch {
            metrics.reconcilerRuns.increment(["error"])
            logger.error("reconciler failed", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers what is due in the outbox with the current `smtp.*` settings; nil when mail is
    /// off or the settings are unusable (logged).
    @discardableResult
    public func deliverMail(transport: (any MailTransport)? = nil, limit: Int = 50) -> DeliveryReport? {
        let settings = live.withLock { $0.smtp }
        guard settings.isEnabled || transport != nil else { return nil }
        do {
            let sender = OutboxSender(
                store: context.store, settings: settings,
                transport: try transport ?? CurlSMTPTransport(settings: settings), logger: logger,
                now: { [context] in Int64(context.clock.instant().timeIntervalSince1970) })
            var total = DeliveryReport()
            while true {
                let report = try sender.deliverDue(limit: limit)
                total.sent += report.sent
                total.deferred += report.deferred
                total.failed += report.failed
                if report.attempted < limit { break }
            }
            metrics.mailDeliveries.increment(["sent"], by: Double(total.sent))
            metrics.mailDeliveries.increment(["deferred"], by: Double(total.deferred))
            metrics.mailDeliveries.increment(["failed"], by: Double(total.failed))
            return total
        } catch {
            logger.error("mail delivery failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// SIGHUP: templates, billing settings and client directory from the database, and the
    /// configuration's live keys (`log.level`, `smtp.*`, `scheduler.tickSeconds`,
    /// `reconciler.intervalSeconds`). Keys that need a restart are named in a warning. On any
    /// error what is running stays as it was. Returns the keys applied.
    @discardableResult
    public func reload() -> [String] {
        SystemdNotify.send("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotify.monotonicMicroseconds())")
        defer { SystemdNotify.send("READY=1") }
        var applied: [String] = []
        do {
            if let reloadSource {
                let loaded = try reloadSource()
                let old = lastValues.withLock { $0 }
                let changed = Set(old.keys).union(loaded.values.keys).filter { old[$0] != loaded.values[$0] }.sorted()
                let restart = changed.filter { ConfigurationKey.byName[$0]?.live != true }
                applied = changed.filter { ConfigurationKey.byName[$0]?.live == true }
                let fresh = loaded.configuration
                live.withLock { c in
                    c.smtp = fresh.smtp
                    c.logLevel = fresh.logLevel
                    c.schedulerTickSeconds = fresh.schedulerTickSeconds
                    c.reconcileIntervalSeconds = fresh.reconcileIntervalSeconds
                }
                logLevel?.level = fresh.logLevel
                lastValues.withLock { values in
                    for key in applied { values[key] = loaded.values[key] }
                }
                if !restart.isEmpty {
                    logger.warning(
                        "configuration changes need a restart", metadata: ["keys": "\(restart.joined(separator: ","))"])
                }
            }
            try context.reloadTemplates()
            try context.store.reloadSettings()
            try context.reloadDirectory()
            metrics.reloads.increment(["ok"])
            logger.info(
                "reloaded",
                metadata: [
                    "keys": "\(applied.joined(separator: ","))",
                    "templates": "\(context.templates.directory)",
                ])
        } catch {
            metrics.reloads.increment(["error"])
            logger.error(
                "reload failed; still running with the previous configuration", metadata: ["error": "\(error)"])
        }
        return applied
    }

    /// Stops accepting, lets in-flight requests finish (for code that did not call `run()`).
    public func stop() {
        portal.stop()
        portalTLS?.stop()
        admin.stop()
    }
}
