import Foundation
import Logging
import PorticoApp
import PorticoCore
import Synchronization
import Testing

/// A name server under the test's control: what each name answers, and how long it takes.
final class FakeDNS: Sendable {
    enum Answer: Sendable { case addresses([String]), failure, hang(seconds: Double) }
    let answers = Mutex<[String: Answer]>([:])

    func set(_ name: String, _ answer: Answer) { answers.withLock { $0[name] = answer } }

    func lookup(_ name: String) throws -> [IPPrefix] {
        switch answers.withLock({ $0[name] }) ?? .failure {
        case .addresses(let list): return try list.map { try IPPrefix($0) }
        case .failure: throw AllowlistResolver.ResolveError(host: name, message: "Name or service not known")
        case .hang(let seconds):
            usleep(UInt32(seconds * 1_000_000))
            throw AllowlistResolver.ResolveError(host: name, message: "timed out")
        }
    }
}

struct AllowlistResolverTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func resolvesNamesWithGetaddrinfo() throws {
        let resolver = AllowlistResolver(hosts: ["localhost", "LOCALHOST", "127.0.0.7"], logger: logger)
        #expect(resolver.hosts == ["localhost", "127.0.0.7"])
        #expect(resolver.addresses.isEmpty)  // nothing is looked up until refresh
        #expect(resolver.refresh())
        #expect(resolver.addresses.contains(try IPPrefix("127.0.0.1")))
        #expect(resolver.addresses.contains(try IPPrefix("127.0.0.7")))
        #expect(!resolver.refresh())  // same answers: no change
    }

    @Test func aFailureKeepsTheLastGoodAddresses() throws {
        let dns = FakeDNS()
        dns.set("pay.example", .addresses(["192.0.2.10", "2001:db8::10"]))
        dns.set("cdn.example", .addresses(["192.0.2.20"]))
        let resolver = AllowlistResolver(hosts: ["pay.example", "cdn.example"], logger: logger, lookup: dns.lookup)
        #expect(resolver.refresh())
        #expect(resolver.addresses.map(\.description) == ["192.0.2.10", "192.0.2.20", "2001:db8::10"])

        dns.set("pay.example", .failure)
        dns.set("cdn.example", .addresses([]))
        #expect(!resolver.refresh())
        #expect(resolver.addresses.map(\.description) == ["192.0.2.10", "192.0.2.20", "2001:db8::10"])

        dns.set("pay.example", .addresses(["192.0.2.11"]))
        #expect(resolver.refresh())
        #expect(resolver.addresses.map(\.description) == ["192.0.2.11", "192.0.2.20"])
    }

    @Test func aHangingLookupIsCutOffByTheTimeoutAndNotStartedTwice() throws {
        let dns = FakeDNS()
        dns.set("slow.example", .addresses(["192.0.2.30"]))
        dns.set("fast.example", .addresses(["192.0.2.40"]))
        let resolver = AllowlistResolver(
            hosts: ["slow.example", "fast.example"], timeout: .milliseconds(200), logger: logger, lookup: dns.lookup)
        resolver.refresh()
        dns.set("slow.example", .hang(seconds: 1.5))
        dns.set("fast.example", .addresses(["192.0.2.41"]))
        let started = ContinuousClock.now
        #expect(resolver.refresh())
        #expect(ContinuousClock.now - started < .milliseconds(900))
        // The slow name keeps its last good address; the fast one moved on.
        #expect(resolver.addresses.map(\.description) == ["192.0.2.30", "192.0.2.41"])
        // Still resolving: the next pass does not start a second lookup of it (and returns at once).
        let again = ContinuousClock.now
        resolver.refresh()
        #expect(ContinuousClock.now - again < .milliseconds(150))
        #expect(resolver.addresses.map(\.description) == ["192.0.2.30", "192.0.2.41"])
    }
}
