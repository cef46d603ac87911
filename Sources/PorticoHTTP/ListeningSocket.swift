#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bound, listening, non-blocking TCP socket, created here rather than by libmicrohttpd so
/// that a failed `bind` reports its errno and the address (MHD only returns NULL).
struct ListeningSocket {
    let descriptor: Int32
    let isIPv6: Bool
    /// True for "::": the socket accepts IPv4 clients too (IPV6_V6ONLY off).
    let isDualStack: Bool
    /// "host:port" or "[host]:port" as configured, for error messages.
    let addressDescription: String

    /// Creates, binds and listens on `host`:`port`.
    static func open(host: String, port: UInt16, backlog: Int32 = SOMAXCONN) throws(HTTPServerError) -> ListeningSocket
    {
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        let isIPv6: Bool
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            isIPv6 = false
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            isIPv6 = true
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = port.bigEndian
        } else {
            throw .invalidAddress(host)
        }
        let isDualStack = isIPv6 && Self.isUnspecifiedIPv6(ipv6)
        let address = isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"

        #if canImport(Glibc)
            let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let streamType = SOCK_STREAM
        #endif
        let descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, streamType, 0)
        guard descriptor >= 0 else { throw .socketFailed(address: address, operation: "socket", errno: errno) }

        func fail(_ operation: String) -> HTTPServerError {
            let code = errno
            close(descriptor)
            return operation == "bind"
                ? .bindFailed(address: address, errno: code)
                : .socketFailed(address: address, operation: operation, errno: code)
        }
        var on: Int32 = 1
        let off: Int32 = 0
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, size) != 0 { throw fail("setsockopt(SO_REUSEADDR)") }
        if isIPv6 {
            var v6only = isDualStack ? off : on
            if setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, size) != 0 {
                throw fail("setsockopt(IPV6_V6ONLY)")
            }
        }
        let bound: Int32
        if isIPv6 {
            bound = withUnsafePointer(to: &ipv6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            bound = withUnsafePointer(to: &ipv4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if bound != 0 { throw fail("bind") }
        if listen(descriptor, backlog) != 0 { throw fail("listen") }
        let flags = fcntl(descriptor, F_GETFL)
        if flags < 0 || fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) != 0 { throw fail("fcntl(O_NONBLOCK)") }
        return ListeningSocket(
            descriptor: descriptor, isIPv6: isIPv6, isDualStack: isDualStack, addressDescription: address)
    }

    /// The port the kernel bound (useful when 0 was asked for), or 0 if unknown.
    func boundPort() -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return 0 }
        return SocketAddressText.port(of: &storage)
    }

    private static func isUnspecifiedIPv6(_ address: sockaddr_in6) -> Bool {
        withUnsafeBytes(of: address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
    }
}
