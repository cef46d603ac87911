import Foundation
import PorticoCore
import PorticoStore
import PorticoTestSupport
import Synchronization
import Testing

/// A payment gateway that accepts connections and never answers (issue 12 item 9, and the
/// "gateway down or slow" fault): checkouts end with their time-out answer and charge nothing,
/// while every other client's redirect, page and `/api/captive` are answered as fast as before.
@Suite(.serialized) struct GatewayFaultTests {
    typealias F = StripeFixture

    /// A loopback server that accepts every connection, keeps it open and never reads or writes.
    final class BlackHole: Sendable {
        let descriptor: Int32
        let port: UInt16
        let accepted = Counter()
        let held = Descriptors()

        final class Counter: Sendable {
            let value = Atomic<Int>(0)
            func add(_ n: Int) { value.add(n, ordering: .relaxed) }
            var current: Int { value.load(ordering: .relaxed) }
        }
        final class Descriptors: Sendable {
            let all = Mutex<[Int32]>([])
            func withLock<T>(_ body: (inout [Int32]) -> T) -> T { all.withLock { body(&$0) } }
        }

        init() throws {
            let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try withAddress("127.0.0.1", port: 0) { address, length in
                guard bind(listening, address, length) == 0 else { throw TestClientError.socket("bind", errno) }
            }
            listen(listening, 64)
            var storage = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) }
            }
            descriptor = listening
            port = UInt16(bigEndian: storage.sin_port)
            let accepted = accepted
            let held = held
            Thread.detachNewThread {
                while true {
                    let client = accept(listening, nil, nil)
                    if client < 0 { return }  // closed by deinit
                    held.withLock { $0.append(client) }
                    accepted.add(1)
                }
            }
        }

        deinit {
            shutdown(descriptor, Int32(SHUT_RDWR))
            close(descriptor)
            for client in held.withLock({ $0 }) { close(client) }
        }

        var apiBase: String { "http://127.0.0.1:\(port)" }
    }

    /// The slowest of `rounds` runs of the three requests another client makes, in seconds.
    private static func otherClientsRequests(_ f: StripeFixture, rounds: Int) throws -> (
        captive: Double, redirect: Double, page: Double
    ) {
        var worst = (captive: 0.0, redirect: 0.0, page: 0.0)
        func timed(_ body: () throws -> TestResponse, expect status: Int) throws -> Double {
            let start = ContinuousClock.now
            let response = try body()
            let elapsed = ContinuousClock.now - start
            #expect(response.status == status)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        for _ in 0..<rounds {
            let connection = { try TestConnection(port: f.server.portalPort, source: F.ann, timeoutSeconds: 20) }
            worst.captive = max(
                worst.captive, try timed({ try connection().request("GET", "/api/captive") }, expect: 200))
            worst.redirect = max(
                worst.redirect, try timed({ try connection().request("GET", "/", host: "news.example") }, expect: 302))
            worst.page = max(worst.page, try timed({ try connection().request("GET", "/") }, expect: 200))
        }
        return worst
    }

    final class Answers: @unchecked Sendable {
        // Safe: every access goes through the lock.
        private let lock = NSLock()
        private var responses: [TestResponse] = []
        func append(_ r: TestResponse) { lock.withLock { responses.append(r) } }
        var all: [TestResponse] { lock.withLock { responses } }
    }

    @Test func aGatewayThatNeverAnswersStallsOnlyTheCheckoutsThatWaitForIt() throws {
        let hole = try BlackHole()
        let f = try StripeFixture(apiBase: hole.apiBase, requestTimeoutSeconds: 2)
        let before = try Self.otherClientsRequests(f, rounds: 5)

        // Four checkouts from Sam at once, each on its own connection.
        let csrf = try #require(hidden(f.get(F.sam, "/").text, "csrf"))
        let answers = Answers()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let body = Array("csrf=\(csrf)&months=1".utf8)
                if let r = try? TestConnection(port: f.server.portalPort, source: F.sam, timeoutSeconds: 20).request(
                    "POST", "/prepay", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
                {
                    answers.append(r)
                }
            }
        }
        // While both admitted checkouts wait on the gateway, Ann is served as usual.
        let waitStart = ContinuousClock.now
        while hole.accepted.current < 2 && ContinuousClock.now - waitStart < .seconds(5) {
            usleep(5_000)
        }
        #expect(hole.accepted.current == 2)
        let during = try Self.otherClientsRequests(f, rounds: 3)
        #expect(group.wait(timeout: .now() + 20) == .success)

        for (name, normal, stalled) in [
            ("/api/captive", before.captive, during.captive), ("redirect", before.redirect, during.redirect),
            ("page", before.page, during.page),
        ] {
            #expect(stalled < 0.1 + 10 * normal, "\(name): \(stalled) s during the fault, \(normal) s before")
        }
        let statuses = answers.all.map(\.status).sorted()
        #expect(statuses == [429, 429, 502, 502])
        for r in answers.all where r.status == 502 {
            #expect(r.text.contains("The payment service is not available right now. Nothing was charged."))
        }
        for r in answers.all where r.status == 429 {
            #expect(r.text.contains("A payment for this device is already being started."))
        }
        // Nothing was charged, each admitted checkout failed once, and Sam is still walled in.
        #expect(try f.store.payments().isEmpty)
        #expect(hole.accepted.current == 2)
        let checkouts = try ChildProcess.run([
            "/usr/bin/env", "sqlite3", f.directory + "/portico.db", "SELECT status FROM checkouts",
        ])
        #expect(checkouts.output.split(separator: "\n") == ["failed", "failed"])
        #expect(try f.get(F.sam, "/api/captive").text.contains("\"captive\":true"))
    }
}
