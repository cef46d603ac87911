/// The ISP's details shown to clients, from configuration.
public struct Branding: Sendable, Equatable {
    public var ispName: String
    /// Phone, email, office hours: shown on every portal page.
    public var contact: String
    /// Public URL of the portal (`http://portal.example.net/`), used in redirects and RFC 8908.
    public var portalURL: String
    /// Optional page about the venue or the ISP (RFC 8908 `venue-info-url`).
    public var venueInfoURL: String?

    public init(ispName: String = "Your ISP", contact: String = "", portalURL: String, venueInfoURL: String? = nil) {
        self.ispName = ispName
        self.contact = contact
        self.portalURL = portalURL.hasSuffix("/") ? String(portalURL.dropLast()) : portalURL
        self.venueInfoURL = venueInfoURL
    }

    /// The portal's host name (no port), to tell our own requests from foreign ones.
    public var portalHost: String { URLText.host(of: portalURL) ?? "" }
}
