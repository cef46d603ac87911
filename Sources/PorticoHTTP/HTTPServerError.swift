#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an `HTTPServer` could not start. Each case names the address or file involved.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// `host` is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)
    /// A socket call on the listening address failed (`socket`, `setsockopt`, `listen`).
    case socketFailed(address: String, operation: String, errno: Int32)
    /// `bind` failed, e.g. `EADDRINUSE` or `EADDRNOTAVAIL`.
    case bindFailed(address: String, errno: Int32)
    /// A TLS certificate or key file could not be read.
    case tlsFileUnreadable(path: String, errno: Int32)
    /// libmicrohttpd refused to start on the (already bound) address, e.g. a bad certificate.
    case daemonStartFailed(address: String)
    /// `start()` was called on a server that is running or was stopped.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidAddress(let host):
            return "invalid listen address \"\(host)\": expected a numeric IPv4 or IPv6 address"
        case .socketFailed(let address, let operation, let code):
            return "cannot listen on \(address): \(operation) failed: \(Self.message(code))"
        case .bindFailed(let address, let code):
            return "cannot bind \(address): \(Self.message(code))"
        case .tlsFileUnreadable(let path, let code):
            return "cannot read TLS file \(path): \(Self.message(code))"
        case .daemonStartFailed(let address):
            return "libmicrohttpd failed to start on \(address) (check the TLS certificate and key)"
        case .alreadyStarted:
            return "the HTTP server was already started"
        }
    }

    private static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text) + " (errno \(code))"
    }
}
