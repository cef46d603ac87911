import PorticoCore

/// A NAS that takes Dynamic Authorization requests (RFC 5176): its address, its port and the
/// secret it shares with Portico.
public struct NASEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// A numeric IPv4 or IPv6 address (never a host name).
    public var host: String
    /// UDP port; 3799 is RFC 5176's.
    public var port: UInt16
    public var secret: Secret

    public static let defaultPort: UInt16 = 3799

    public init(host: String, port: UInt16 = NASEndpoint.defaultPort, secret: Secret) {
        self.host = host
        self.port = port
        self.secret = secret
    }

    /// "192.0.2.1:3799" (the secret never shows).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
