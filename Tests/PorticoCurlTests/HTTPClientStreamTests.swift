import Foundation
import PorticoCurl
import Synchronization
import Testing

/// Long-lived streams (server-sent events, as `portico agent` will read them) from a raw socket
/// server on loopback: pieces as they arrive, stopping, cancelling from another thread, the idle
/// limit.
@Suite struct HTTPClientStreamTests {
    static let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n"

    /// Collects the pieces `onBody` is given, for a test to read afterwards.
    final class Received: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func add(_ piece: [UInt8]) { bytes.withLock { $0 += piece } }
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
    }

    @Test func eventsArriveInOrderUntilTheServerEndsTheStream() throws {
        let server = try RawLoopbackServer { fd in
            guard readRequestHead(fd) != nil else { return }
            write(fd, Self.head)
            for n in 1...3 {
                write(fd, "id: \(n)\ndata: {\"changes\":\(n)}\n\n")
                usleep(20_000)
            }
        }
        defer { server.stop() }
        var heads: [HTTPClient.Head] = []
        let received = Received()
        let end = try HTTPClient().stream(
            .init(url: server.url + "/api/v1/agent/stream", timeouts: CurlTimeouts(total: nil, idle: .seconds(5))),
            onHead: { head in
                heads.append(head)
                return true
            },
            onBody: { piece in
                received.add(piece)
                return true
            })
        guard case .completed(let head) = end else {
            Issue.record("expected .completed, got \(end)")
            return
        }
        #expect(head.status == 200 && head.header("content-type") == "text/event-stream")
        #expect(heads.count == 1)
        #expect(
            received.text
                == "id: 1\ndata: {\"changes\":1}\n\nid: 2\ndata: {\"changes\":2}\n\nid: 3\ndata: {\"changes\":3}\n\n")
    }

    @Test func theCallerCanStopAfterTheFirstEvent() throws {
        let server = try RawLoopbackServer { fd in
            guard readRequestHead(fd) != nil else { return }
            write(fd, Self.head + "data: first\n\n")
            waitForClose(fd)
        }
        defer { server.stop() }
        let received = Received()
        let end = try HTTPClient().stream(.init(url: server.url + "/", timeouts: CurlTimeouts(total: nil))) {
            received.add($0)
            return !received.text.contains("\n\n")
        }
        guard case .stopped(let head) = end else {
            Issue.record("expected .stopped, got \(end)")
            return
        }
        #expect(head.status == 200 && received.text == "data: first\n\n")
    }

    @Test func anErrorStatusEndsAtTheHeadWhenTheCallerSaysSo() throws {
        let server = try RawLoopbackServer { fd in
            guard readRequestHead(fd) != nil else { return }
            write(fd, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n\r\nnope\n")
        }
        defer { server.stop() }
        let end = try HTTPClient().stream(.init(url: server.url + "/"), onHead: { $0.status == 200 }) { _ in true }
        guard case .stopped(let head) = end else {
            Issue.record("expected .stopped, got \(end)")
            return
        }
        #expect(head.status == 401)
    }

    @Test func cancellingFromAnotherThreadEndsAQuietStream() throws {
        let connected = Atomic<Bool>(false)
        let server = try RawLoopbackServer { fd in
            guard readRequestHead(fd) != nil else { return }
            write(fd, Self.head + ": heartbeat\n\n")
            waitForClose(fd)  // then silence, as a stream between events
        }
        defer { server.stop() }
        let cancellation = CurlCancellation()
        let received = Received()
        let canceller = Thread {
            // Cancel once the stream is established and quiet.
            for _ in 0..<500 where !connected.load(ordering: .acquiring) { usleep(10_000) }
            usleep(200_000)
            cancellation.cancel()
        }
        canceller.start()
        let started = ContinuousClock.now
        let end = try HTTPClient().stream(
            .init(url: server.url + "/", timeouts: CurlTimeouts(total: nil)), cancellation: cancellation
        ) {
            received.add($0)
            connected.store(true, ordering: .releasing)
            return true
        }
        guard case .cancelled(let head) = end else {
            Issue.record("expected .cancelled, got \(end)")
            return
        }
        #expect(head?.status == 200 && received.text == ": heartbeat\n\n")
        // Bounded: the progress callback looks at the flag about once a second.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aCancelledRequestDoesNotStart() throws {
        let cancellation = CurlCancellation()
        cancellation.cancel()
        let silent = try RawLoopbackServer(accepting: false)
        defer { silent.stop() }
        let error = try #require(throws: CurlError.self) {
            try HTTPClient().send(
                .init(url: silent.url + "/", timeouts: CurlTimeouts(total: .seconds(20))), cancellation: cancellation)
        }
        #expect(error.cancelled)
    }

    @Test func theIdleLimitEndsAStreamThatWentSilent() throws {
        let server = try RawLoopbackServer { fd in
            guard readRequestHead(fd) != nil else { return }
            write(fd, Self.head + "data: hello\n\n")
            waitForClose(fd)
        }
        defer { server.stop() }
        let error = try #require(throws: CurlError.self) {
            try HTTPClient().stream(.init(url: server.url + "/", timeouts: CurlTimeouts(total: nil, idle: .seconds(1))))
            {
                _ in true
            }
        }
        #expect(error.timedOut)
        #expect(error.responseCode == 200)
    }
}
