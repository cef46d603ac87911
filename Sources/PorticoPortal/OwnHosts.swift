import PorticoWebSupport

/// The names that are the portal itself: the host of its public URL and the address it listens
/// on (`portal.listen`), any case, any port. The one rule for "is this request for the portal
/// or for another host": the portal's routing, the server's fast path and the request metrics'
/// `foreign` label all ask it.
///
/// A request without a Host header (HTTP/1.0) is the portal's; an empty one is not.
public struct OwnHosts: Sendable, ExpressibleByArrayLiteral {
    /// Lower-case names, without ports or brackets.
    public let names: Set<String>
    /// `names` as bytes, for the fast path.
    let bytes: [[UInt8]]

    /// `names` as they are (host names or addresses, IPv6 without brackets), any case.
    public init(_ names: some Sequence<String>) {
        let lowered = Set(names.map { $0.lowercased() })
        self.names = lowered
        bytes = lowered.map { Array($0.utf8) }
    }

    public init(arrayLiteral names: String...) { self.init(names) }

    /// No names at all (a listener that is not the portal's): nothing is foreign to it.
    public var isEmpty: Bool { names.isEmpty }

    /// Whether a request with this Host header (nil: none) is for the portal itself.
    public func contains(hostHeader: String?) -> Bool {
        guard let hostHeader else { return true }
        return names.contains(URLText.hostOnly(hostHeader))
    }

    /// The same rule on the header's raw bytes, for the fast path: true only when they plainly
    /// name another host (ASCII, not empty, none of ours); false means "not decided here", and
    /// the request goes the ordinary way.
    public func isForeign(rawHost raw: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        var end = raw.count
        if raw.first == UInt8(ascii: "[") {
            start = 1
            end = raw[1...].firstIndex(of: UInt8(ascii: "]")) ?? raw.count
        } else if let colon = raw.firstIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        guard end > start else { return false }
        let host = raw[start..<end]
        // Non-ASCII names go the ordinary way, which lower-cases them as `contains` does.
        if host.contains(where: { $0 >= 0x80 }) { return false }
        for own in bytes where own.count == host.count {
            if zip(own, host).allSatisfy({ $0 == ($1 | ($1 >= 65 && $1 <= 90 ? 0x20 : 0)) }) { return false }
        }
        return true
    }
}
