import Logging
import PorticoStore

/// What the admin UI and the JSON API work with: the store, the installation's clock, the
/// walled garden (through its seam), the payment gateway as the admin sees it, the templates
/// and the ISP's details, the portal's text catalogues (admins edit them), the CSRF tokens and
/// the log. Made by the app's wiring; making one does nothing else.
public struct AdminContext: Sendable {
    public let store: Store
    public let clock: InstallationClock
    public let walledGarden: any WalledGarden
    public let gateway: GatewaySummary
    public let templates: Templates
    public let branding: Branding
    public let catalogs: Catalogs
    public let csrf: CSRF
    public let logger: Logger

    public init(
        store: Store, clock: InstallationClock, walledGarden: any WalledGarden, gateway: GatewaySummary,
        templates: Templates, branding: Branding, catalogs: Catalogs, csrf: CSRF, logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.walledGarden = walledGarden
        self.gateway = gateway
        self.templates = templates
        self.branding = branding
        self.catalogs = catalogs
        self.csrf = csrf
        self.logger = logger
    }
}

/// The payment gateway as the admin's settings page shows it, without the gateway itself: the
/// admin and API modules do not import PorticoPayments.
public struct GatewaySummary: Sendable {
    /// `test` or `stripe`.
    public var name: String
    /// Hosts the walled garden lets stopped clients reach for it.
    public var allowedHosts: [String]
    /// "Test connection": calls the provider with the configured credentials; the error's
    /// description says what failed.
    public var testConnection: @Sendable () throws -> String

    public init(name: String, allowedHosts: [String], testConnection: @escaping @Sendable () throws -> String) {
        self.name = name
        self.allowedHosts = allowedHosts
        self.testConnection = testConnection
    }
}
