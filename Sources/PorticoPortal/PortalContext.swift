import Logging
import PorticoPayments
import PorticoStore
import PorticoWebSupport

/// What the portal works with: the store, the installation's clock, the in-memory directory of
/// addresses (read on every request), the walled garden (through its seam), the payment
/// gateway, the templates and the ISP's details, the text catalogues, the CSRF tokens, the log,
/// and the pages it has rendered. Made by the app's wiring; making one does nothing else.
public struct PortalContext: Sendable {
    public let store: Store
    public let clock: InstallationClock
    public let directory: ClientDirectory
    public let walledGarden: any WalledGarden
    public let gateway: any PaymentGateway
    public let templates: Templates
    public let branding: Branding
    public let catalogs: Catalogs
    public let csrf: CSRF
    public let logger: Logger
    /// Rendered portal pages, valid while nothing was written (see `Store.generation`).
    let pageCache = PageCache()

    public init(
        store: Store, clock: InstallationClock, directory: ClientDirectory, walledGarden: any WalledGarden,
        gateway: any PaymentGateway, templates: Templates, branding: Branding, catalogs: Catalogs, csrf: CSRF,
        logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.directory = directory
        self.walledGarden = walledGarden
        self.gateway = gateway
        self.templates = templates
        self.branding = branding
        self.catalogs = catalogs
        self.csrf = csrf
        self.logger = logger
    }

    /// Forgets every rendered page (the templates were read again).
    public func dropRenderedPages() { pageCache.removeAll() }
}
