import PorticoCore

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
