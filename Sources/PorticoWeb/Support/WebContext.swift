import Logging
import PorticoCore
import PorticoFirewall
import PorticoPayments
import PorticoStore

/// The ISP's details shown to clients, from configuration.
public struct Branding: Sendable, Equatable {
    public var ispName: String
    /// Phone, email, office hours: shown on every portal page.
    public var contact: String
    /// Public URL of the portal (`http://portal.example.net/`), used in redirects and RFC 8908.
    public var portalURL: String
    /// Optional page about the venue or the ISP (RFC 8908 `venue-info-url`).
    public var venueInfoURL: String?
    /// The portal's HTTPS URL when it has a TLS listener beside the plain one: RFC 8908's
    /// `user-portal-url` and the gateway's return URLs use it; redirects stay on `portalURL`.
    public var secureURL: String?

    public init(
        ispName: String = "Your ISP", contact: String = "", portalURL: String, venueInfoURL: String? = nil,
        secureURL: String? = nil
    ) {
        self.ispName = ispName
        self.contact = contact
        self.portalURL = portalURL.hasSuffix("/") ? String(portalURL.dropLast()) : portalURL
        self.venueInfoURL = venueInfoURL
        self.secureURL = secureURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// `secureURL` when there is one, else `portalURL`.
    public var preferredURL: String { secureURL ?? portalURL }

    /// The portal's host name (no port), to tell our own requests from foreign ones.
    public var portalHost: String { URLText.host(of: portalURL) ?? "" }
}

/// Everything the web handlers share: the store, the walled garden, the clock, the gateway.
public final class WebContext: Sendable {
    public let store: Store
    public let firewall: any WalledGardenFirewall
    public let clock: InstallationClock
    public let directory: ClientDirectory
    public let gateway: any PaymentGateway
    public let templates: Templates
    public let branding: Branding
    public let logger: Logger
    /// HMAC key for CSRF tokens, kept in the database so restarts keep open pages valid.
    let csrfKey: [UInt8]
    /// Rendered portal pages, valid while nothing was written (see `Store.generation`).
    let pageCache = PageCache()

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
        directory = ClientDirectory()
        csrfKey = try store.secret(named: "csrf") { randomBytes(32) }
        // Changes made through the server queue their emails in their own transaction.
        store.setMessageComposer(EmailComposer(templates: templates, branding: branding))
        try reloadDirectory()
    }

    /// Loads every client's addresses and the stopped set from the database.
    public func reloadDirectory() throws {
        let today = clock.today()
        var owners: [Int64: [IPPrefix]] = [:]
        for s in try store.services(on: today) { owners[s.service.clientId, default: []] += s.service.addresses }
        directory.load(owners: owners.map { ($0.key, $0.value) }, stopped: try store.stoppedAddresses())
    }

    /// Reads the templates again (SIGHUP) and drops the pages rendered with the old ones.
    public func reloadTemplates() throws {
        try templates.reload()
        pageCache.entries.withLock { $0.removeAll() }
    }

    /// Refreshes one client's addresses after its services changed.
    public func refreshClient(_ clientId: Int64) throws {
        let addresses = try store.services(clientId: clientId, on: clock.today()).flatMap(\.service.addresses)
        directory.update(clientId: clientId, addresses: addresses)
    }

    /// Carries out what a change did to the walled garden: the kernel sets first (acknowledged
    /// before this returns), then the in-memory directory.
    public func apply(_ delta: WalledGardenDelta) {
        guard !delta.isEmpty else { return }
        do {
            if !delta.release.isEmpty { try firewall.release(delta.release.sorted()) }
            if !delta.suspend.isEmpty { try firewall.suspend(delta.suspend.sorted()) }
        } catch {
            // The database is the truth: the reconciler repairs the sets on its next pass.
            logger.error(
                "walled garden update failed; the reconciler will repair it",
                metadata: [
                    "error": "\(error)", "suspend": "\(delta.suspend.count)",
                    "release": "\(delta.release.count)",
                ])
        }
        directory.apply(suspend: delta.suspend, release: delta.release)
    }
}

/// Random bytes from the system generator.
public func randomBytes(_ n: Int) -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
}

/// Small URL helpers that need no Foundation.
public enum URLText {
    /// `http://a.example:8080/x` → `a.example`; `[::1]:80` → `::1`.
    public static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return hostOnly(String(authority))
    }

    /// A Host header without its port, lower-cased.
    public static func hostOnly(_ hostHeader: String) -> String {
        // Runs twice per portal request (routing and the metrics label): byte-wise, and without
        // lowercasing a host that is already lower-case ASCII (nearly all of them).
        let utf8 = hostHeader.utf8
        var start = utf8.startIndex
        let end: String.Index
        if utf8.first == UInt8(ascii: "[") {
            start = utf8.index(after: start)
            end = utf8[start...].firstIndex(of: UInt8(ascii: "]")) ?? utf8.endIndex
        } else {
            end = utf8.firstIndex(of: UInt8(ascii: ":")) ?? utf8.endIndex
        }
        let host = hostHeader[start..<end]
        if host.utf8.contains(where: { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
            return host.lowercased()
        }
        return String(host)
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    public static func encode(_ s: String) -> String { percentEncoded(s) }
}
