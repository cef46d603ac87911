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
