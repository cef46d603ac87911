import Testing

@testable import PorticoHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// The peer address as text: hand-written dotted IPv4 (it runs for every request) must agree
/// with inet_ntop for every octet width.
@Suite struct SocketAddressTextTests {
    @Test(arguments: [
        "0.0.0.0", "127.0.0.1", "10.0.100.9", "192.168.1.254", "255.255.255.255", "1.22.133.4", "100.64.0.10",
    ])
    func dottedMatchesInetNtop(_ text: String) throws {
        var raw = in_addr()
        try #require(inet_pton(AF_INET, text, &raw) == 1)
        #expect(SocketAddressText.dotted(UInt32(bigEndian: raw.s_addr)) == text)
    }

    @Test func ipv4MappedIPv6IsGivenAsIPv4() throws {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        try #require(inet_pton(AF_INET6, "::ffff:203.0.113.77", &address.sin6_addr) == 1)
        let text = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddressText.ip($0) }
        }
        #expect(text == "203.0.113.77")
    }
}
