import Logging
import PorticoAPI
import PorticoCore
import PorticoFirewall
import PorticoPayments
import PorticoPortal
import PorticoStore
import PorticoWebSupport

/// The web side of one installation as the app wires it: the parts the web modules share, and
/// from them what each is given (`portal`, `admin`) and the walled garden they reach through
/// its seam (`walledGarden`, over `firewall` and `directory`). Only the app sees all of it.
///
/// Making one reads the installation's CSRF key (created on first start), the text catalogues
/// and the directory; it installs nothing anywhere. The store's email composer is installed by
/// the caller (`store.setMessageComposer(context.emailComposer)`), as `PorticoServer` does.
public final class WebContext: Sendable {
    public let store: Store
    public let firewall: any WalledGardenFirewall
    public let clock: InstallationClock
    public let directory: ClientDirectory
    public let gateway: any PaymentGateway
    public let templates: Templates
    public let branding: Branding
    public let logger: Logger
    public let walledGarden: LocalWalledGarden
    /// What the portal is given.
    public let portal: PortalContext
    /// What the admin UI and the JSON API are given.
    public let admin: AdminContext

    public init(
        store: Store, firewall: any WalledGardenFirewall, clock: InstallationClock,
        gateway: any PaymentGateway, templates: Templates, branding: Branding, logger: Logger
    ) throws {
        self.store = store
        self.firewall = firewall
        self.clock = clock
        self.gateway = gateway
        self.templates = templates
        self.branding = branding
        self.logger = logger
        let directory = ClientDirectory()
        self.directory = directory
        // Kept in the database, so a restart keeps open pages' forms valid.
        let csrf = CSRF(key: try store.secret(named: "csrf") { randomBytes(32) })
        let catalogs = Catalogs.loadBeside(templates, logger: logger)
        let walledGarden = LocalWalledGarden(
            firewall: firewall, directory: directory, store: store, clock: clock, logger: logger)
        self.walledGarden = walledGarden
        portal = PortalContext(
            store: store, clock: clock, directory: directory, walledGarden: walledGarden, gateway: gateway,
            templates: templates, branding: branding, catalogs: catalogs, csrf: csrf, logger: logger)
        admin = AdminContext(
            store: store, clock: clock, walledGarden: walledGarden,
            gateway: GatewaySummary(
                name: gateway.name, allowedHosts: gateway.allowedHosts,
                testConnection: { try gateway.testConnection() }),
            templates: templates, branding: branding, catalogs: catalogs, csrf: csrf, logger: logger)
        try walledGarden.reloadDirectory()
    }

    /// Renders the outbox's messages from these templates: what `store.setMessageComposer` takes.
    public var emailComposer: EmailComposer { EmailComposer(templates: templates, branding: branding) }

    /// Loads every client's addresses and the stopped set from the database.
    public func reloadDirectory() throws { try walledGarden.reloadDirectory() }

    /// Reads the templates again (SIGHUP) and drops the pages rendered with the old ones.
    public func reloadTemplates() throws {
        try templates.reload()
        portal.dropRenderedPages()
    }
}

// The web modules' handlers over an installation's web context (what PorticoServer serves).
extension Portal {
    public init(context: WebContext, options: PortalOptions = PortalOptions()) {
        self.init(context: context.portal, options: options)
    }
}

extension AdminAPI {
    public init(context: WebContext) { self.init(context: context.admin) }
}
