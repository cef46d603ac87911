import Dispatch
import Foundation
import PorticoHTTP
import PorticoTestSupport
import Synchronization
import Testing

/// Answers computed later on the worker pool (issue 12 item 9): the connection waits, the MHD
/// threads go on serving everyone else, and the bounds answer at once.
@Suite struct HTTPServerLaterTests {
    /// A handler whose `/slow` work blocks until the test opens `gate`.
    final class Gate: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        let started = Atomic<Int>(0)
        func open(_ count: Int) { for _ in 0..<count { semaphore.signal() } }
    }

    private func server(_ gate: Gate, threads: Int = 2, queue: Int = 8, perKey: Int = 2) throws -> HTTPServer {
        try startServer {
            $0.threadPoolSize = 2
            $0.workerThreads = threads
            $0.workerQueueLimit = queue
        } handler: { request in
            guard request.path.hasPrefix("/slow") else { return echo(request) }
            return .later(key: request.remoteAddress, limit: perKey) {
                gate.started.add(1, ordering: .relaxed)
                gate.semaphore.wait()
                return .text("done \(request.path)\n")
            }
        }
    }

    /// Sends `GET path` from `source` and returns the connection, without reading.
    private func send(_ port: UInt16, _ path: String, from source: String) throws -> TestConnection {
        let client = try TestConnection(port: port, source: source, timeoutSeconds: 10)
        try client.send("GET \(path) HTTP/1.1\r\nHost: portal.test\r\n\r\n")
        return client
    }

    private func waitFor(_ condition: () -> Bool) {
        let start = ContinuousClock.now
        while !condition() && ContinuousClock.now - start < .seconds(5) { usleep(2_000) }
    }

    @Test func slowWorkDoesNotHoldTheServerThreadsAndItsAnswerArrivesOnTheSameConnection() throws {
        let gate = Gate()
        let server = try server(gate, threads: 4, perKey: 4)
        defer { server.stop() }
        // More blocked jobs than the server has MHD threads (2).
        let slow = try (0..<4).map { try send(server.port, "/slow/\($0)", from: "127.0.0.91") }
        waitFor { gate.started.load(ordering: .relaxed) == 4 }
        #expect(gate.started.load(ordering: .relaxed) == 4)
        // Everyone else is still served, at once, on both threads.
        for index in 0..<10 {
            let response = try TestConnection(port: server.port, source: "127.0.0.92", timeoutSeconds: 2)
                .request("GET", "/quick/\(index)")
            #expect(response.status == 200)
        }
        gate.open(4)
        for (index, client) in slow.enumerated() {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "done /slow/\(index)\n")
            // The connection stays usable for the next request.
            #expect(try client.request("GET", "/next").text.contains("path=/next\n"))
        }
    }

    @Test func theKeyLimitAnswers429AtOnceAndOtherKeysGoOn() throws {
        let gate = Gate()
        let server = try server(gate, threads: 4, perKey: 2)
        defer { server.stop() }
        let first = try send(server.port, "/slow/a", from: "127.0.0.93")
        let second = try send(server.port, "/slow/b", from: "127.0.0.93")
        waitFor { gate.started.load(ordering: .relaxed) == 2 }
        let third = try TestConnection(port: server.port, source: "127.0.0.93", timeoutSeconds: 2).request(
            "GET", "/slow/c")
        #expect(third.status == 429)
        #expect(third.header("Retry-After") == "5")
        #expect(third.text.contains("Too many requests at once"))
        // Another client's slow request is taken.
        let other = try send(server.port, "/slow/d", from: "127.0.0.94")
        waitFor { gate.started.load(ordering: .relaxed) == 3 }
        #expect(gate.started.load(ordering: .relaxed) == 3)
        gate.open(3)
        #expect(try first.readResponse().status == 200)
        #expect(try second.readResponse().status == 200)
        #expect(try other.readResponse().text == "done /slow/d\n")
        // The key's slots are free again.
        let again = try send(server.port, "/slow/e", from: "127.0.0.93")
        gate.open(1)
        #expect(try again.readResponse().status == 200)
    }

    @Test func aFullQueueAnswers503() throws {
        let gate = Gate()
        let server = try server(gate, threads: 1, queue: 1, perKey: 10)
        defer { server.stop() }
        let running = try send(server.port, "/slow/1", from: "127.0.0.95")
        waitFor { gate.started.load(ordering: .relaxed) == 1 }
        let queued = try send(server.port, "/slow/2", from: "127.0.0.95")
        usleep(100_000)
        let refused = try TestConnection(port: server.port, source: "127.0.0.95", timeoutSeconds: 2).request(
            "GET", "/slow/3")
        #expect(refused.status == 503)
        #expect(refused.text == "The server is busy; try again in a moment.\n")
        gate.open(2)
        #expect(try running.readResponse().status == 200)
        #expect(try queued.readResponse().text == "done /slow/2\n")
    }

    @Test func stopAnswersRequestsStillWaitingForTheirWorker() throws {
        let gate = Gate()
        let server = try startServer {
            $0.workerThreads = 1
            $0.stopGracePeriodSeconds = 1
        } handler: { request in
            .later {
                gate.started.add(1, ordering: .relaxed)
                gate.semaphore.wait()
                return .text("too late\n")
            }
        }
        let client = try send(server.port, "/slow", from: "127.0.0.96")
        waitFor { gate.started.load(ordering: .relaxed) == 1 }
        let start = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - start < .seconds(5))
        // The work is still blocked; the client got the 503 or a closed connection, never a hang.
        if let response = try? client.readResponse() { #expect(response.status == 503) }
        gate.open(1)
    }

    @Test func whenAnsweredSeesTheFinalAnswer() throws {
        let seen = Mutex<[Int]>([])
        let server = try startServer { _ in
        } handler: { request in
            let response: HTTPResponse = request.path == "/later" ? .later { .text("x", status: 201) } : .text("y")
            return response.whenAnswered { final in
                seen.withLock { $0.append(final.status) }
                return final
            }
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port)
        #expect(try client.request("GET", "/later").status == 201)
        #expect(try client.request("GET", "/now").status == 200)
        #expect(seen.withLock { $0 } == [201, 200])
    }
}
