import PorticoCore
import Testing

@testable import PorticoWebSupport

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

    /// `standing` is `lookup` reduced to unknown / active / stopped, for every case lookup has.
    @Test func standingAgreesWithLookup() throws {
        let dir = ClientDirectory()
        let net = try IPPrefix("10.1.0.0/16")
        let host = try IPPrefix("10.1.2.3")
        let v6 = try IPPrefix("2001:db8:1::/48")
        dir.load(owners: [(1, [net]), (2, [host]), (3, [v6])], stopped: [net, v6])
        let addresses = ["10.1.2.3", "10.1.9.9", "10.2.0.1", "2001:db8:1::42", "2001:db8:2::1", "junk", "10.1.2"]
        func agree() {
            for a in addresses {
                let expected: ClientDirectory.Standing =
                    dir.lookup(a).map { $0.stopped ? .stopped : .active } ?? .unknown
                #expect(dir.standing(a) == expected, "\(a)")
            }
        }
        agree()
        #expect(dir.standing("10.1.9.9") == .stopped)
        #expect(dir.standing("10.1.2.3") == .active)
        #expect(dir.standing("10.2.0.1") == .unknown)
        dir.apply(suspend: [host], release: [net, v6])
        agree()
        dir.update(clientId: 2, addresses: [])
        agree()
        #expect(dir.standing("10.1.2.3") == .active)
    }
}
