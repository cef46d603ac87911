import Foundation
import PorticoHTTP
import PorticoTestSupport
import Testing

/// Slow request heads (issue 12 item 6): a connection that trickles header lines is closed by
/// the server once its head's deadline passes, whatever the idle timeout.
@Suite struct HTTPHeaderDeadlineTests {
    /// What the server has sent on `client` so far, without waiting; nil once it closed.
    private static func pending(_ client: TestConnection, into received: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes {
                recv(client.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            if count > 0 {
                received += chunk[..<count]
                continue
            }
            if count == 0 || errno == ECONNRESET || errno == EPIPE { return false }
            return true
        }
    }

    @Test func sixtyFourTricklingConnectionsFromOneAddressAreClosedAfterTheDeadline() throws {
        let calls = HandlerCalls()
        let server = try startServer {
            $0.headerTimeoutSeconds = 2
            $0.idleTimeoutSeconds = 30
            $0.perAddressConnectionLimit = 64
        } handler: { request in
            calls.record()
            return echo(request)
        }
        defer { server.stop() }
        let source = "127.0.0.66"
        var clients: [TestConnection] = []
        for _ in 0..<64 {
            let client = try TestConnection(port: server.port, source: source, timeoutSeconds: 2)
            try client.send("GET /slow HTTP/1.1\r\nHost: portal.test\r\n")
            clients.append(client)
        }
        // The address's 64 slots are all taken: a 65th connection is refused.
        let extra = try TestConnection(port: server.port, source: source, timeoutSeconds: 2)
        #expect(throws: TestClientError.closedBeforeResponse) { try extra.request("GET", "/") }

        // One header line a second each (the idle timeout, 30 s, never fires), for at most 12 s.
        var open = Set(clients.indices)
        var received = [[UInt8]](repeating: [], count: clients.count)
        var line = 0
        let start = ContinuousClock.now
        while !open.isEmpty && ContinuousClock.now - start < .seconds(12) {
            sleep(1)
            line += 1
            for index in open {
                if !Self.pending(clients[index], into: &received[index]) {
                    open.remove(index)
                    continue
                }
                do { try clients[index].send("X-Line-\(line): slow\r\n") } catch { open.remove(index) }
            }
        }
        #expect(open.isEmpty, "\(open.count) of 64 trickling connections still open after 12 s")
        for index in clients.indices where !received[index].isEmpty {
            #expect(String(decoding: received[index], as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        }
        #expect(received.contains { !$0.isEmpty })
        #expect(calls.value == 0)
        // The slots are free again: the same address is served.
        var served = false
        let retry = ContinuousClock.now
        while !served && ContinuousClock.now - retry < .seconds(5) {
            let client = try TestConnection(port: server.port, source: source, timeoutSeconds: 2)
            served = (try? client.request("GET", "/after"))?.status == 200
            if !served { usleep(100_000) }
        }
        #expect(served)
    }

    @Test func aKeptAliveConnectionMayWaitLongerThanTheHeaderDeadlineBetweenRequests() throws {
        let server = try startServer {
            $0.headerTimeoutSeconds = 1
            $0.idleTimeoutSeconds = 10
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port, timeoutSeconds: 5)
        #expect(try client.request("GET", "/first").status == 200)
        // Idle for twice the header deadline (well within the idle timeout), then a prompt head.
        sleep(2)
        let second = try client.request("GET", "/second")
        #expect(second.status == 200)
        #expect(second.text.contains("path=/second\n"))
    }

    @Test func aConnectionThatNeverSendsItsHeadIsClosedAtTheDeadline() throws {
        let server = try startServer {
            $0.headerTimeoutSeconds = 1
            $0.idleTimeoutSeconds = 30
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port, timeoutSeconds: 8)
        try client.send("GET / HTTP/1.1\r\n")
        // Bounded wait: the receive timeout (8 s) is far below the idle timeout (30 s).
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.text == "Request timeout: the request headers took too long to send.\n")
        #expect(client.closedByPeer())
    }
}
