import CMicroHTTPD

/// What `HTTPServer`'s fast path sees of a request whose headers are complete: the raw Host
/// header and the peer's IPv4 address, read in place from libmicrohttpd. Valid only during the
/// call; nothing is copied, decoded or allocated.
public struct RequestGlance: ~Copyable {
    /// The `Host` header's bytes as sent (`name`, `name:port`, `[v6]:port`), or nil without one.
    public let host: UnsafeRawBufferPointer?
    /// The peer's IPv4 address in host byte order (an IPv4-mapped IPv6 peer too); nil for IPv6.
    public let peerIPv4: UInt32?
}

/// Answers a request from its glance alone, or returns nil to let the handler decide. It runs
/// on an MHD thread for every request: it must be quick, and it must only answer what the
/// handler would answer the same way (a prepared response, ideally).
public typealias FastPath = @Sendable (borrowing RequestGlance) -> HTTPResponse?

extension MHDConnection {
    /// Calls `body` with the connection's glance.
    static func withGlance<T>(_ connection: OpaquePointer, _ body: (borrowing RequestGlance) -> T) -> T {
        var value: UnsafePointer<CChar>?
        var length = 0
        let found = MHD_lookup_connection_value_n(connection, .HEADER_KIND, "Host", 4, &value, &length) == .YES
        let host = found ? value.map { UnsafeRawBufferPointer(start: $0, count: length) } : nil
        let glance = RequestGlance(host: host, peerIPv4: peerIPv4(connection))
        return body(glance)
    }

    static func peerIPv4(_ connection: OpaquePointer) -> UInt32? {
        portico_mhd_client_address(connection).flatMap(SocketAddressText.ipv4)
    }
}
