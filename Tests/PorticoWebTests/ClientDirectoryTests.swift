import PorticoCore
import Testing
@testable import PorticoWeb

@Suite struct ClientDirectoryTests {
    @Test func longestPrefixWinsAndStoppedFollowsDeltas() throws {
        let dir = ClientDirectory()
        let net = try IPPrefix("10.1.0.0/16")
        let host = try IPPrefix("10.1.2.3")
        let v6 = try IPPrefix("2001:db8:1::/48")
        dir.load(owners: [(1, [net]), (2, [host]), (3, [v6])], stopped: [net])
        #expect(dir.lookup("10.1.2.3") == ClientDirectory.Entry(clientId: 2, prefix: host, stopped: false))
        #expect(dir.lookup("10.1.9.9") == ClientDirectory.Entry(clientId: 1, prefix: net, stopped: true))
        #expect(dir.lookup("10.2.0.1") == nil)
        #expect(dir.lookup("2001:db8:1::42")?.clientId == 3)
        #expect(dir.lookup("not an address") == nil)
        #expect(dir.lookup("10.1.2") == nil)
        #expect(dir.lookup("10.1.2.300") == nil)
        dir.apply(suspend: [host, v6], release: [net])
        #expect(dir.lookup("10.1.2.3")?.stopped == true)
        #expect(dir.lookup("10.1.9.9")?.stopped == false)
        #expect(dir.lookup("2001:db8:1::42")?.stopped == true)
        dir.update(clientId: 2, addresses: [])
        #expect(dir.lookup("10.1.2.3")?.clientId == 1)
    }
}
