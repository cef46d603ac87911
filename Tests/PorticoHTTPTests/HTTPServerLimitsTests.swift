import Foundation
import PorticoHTTP
import PorticoTestSupport
import Synchronization
import Testing

/// Live tests of what the server refuses and of its connection handling.
@Suite struct HTTPServerLimitsTests {
    @Test func declaredBodyOverTheLimitGets413AndTheHandlerNeverRuns() throws {
        let calls = HandlerCalls()
        let server = try startServer { _ in
        } handler: { request in
            calls.record()
            return echo(request)
        }
        defer { server.stop() }
        // Content-Length over the limit: answered from the headers alone, no body sent.
        let client = try TestConnection(port: server.port)
        try client.send("POST /reactivate HTTP/1.1\r\nHost: portal.test\r\nContent-Length: 5000000\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text == "Request body too large: the limit is 1024 bytes.\n")

        // A body just over the limit, sent with its headers.
        let second = try TestConnection(port: server.port)
        let oversized = try second.request("POST", "/reactivate", body: Array(repeating: 0x61, count: 1025))
        #expect(oversized.status == 413)

        // A much larger body sent in full with its headers still gets the 413, not a reset.
        let large = try TestConnection(port: server.port)
        let refused = try large.request("POST", "/reactivate", body: Array(repeating: 0x61, count: 300_000))
        #expect(refused.status == 413)

        // Exactly at the limit is accepted.
        let third = try TestConnection(port: server.port)
        let fits = try third.request("POST", "/reactivate", body: Array(repeating: 0x61, count: 1024))
        #expect(fits.status == 200)
        #expect(fits.text.contains("bodyBytes=1024\n"))
        #expect(calls.value == 1)
    }

    @Test func chunkedBodyOverTheLimitGets413() throws {
        let calls = HandlerCalls()
        let server = try startServer { _ in
        } handler: { request in
            calls.record()
            return echo(request)
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port)
        try client.send("POST /reactivate HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<3 {
            try client.send("200\r\n" + String(repeating: "a", count: 512) + "\r\n")
        }
        try client.send("0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(calls.value == 0)

        // A chunked body within the limit reaches the handler whole.
        let small = try TestConnection(port: server.port)
        try small.send("POST /reactivate HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        try small.send("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let accepted = try small.readResponse()
        #expect(accepted.status == 200)
        #expect(accepted.text.contains("bodyBytes=11\n"))
    }

    @Test func endlessChunkedBodyIsCutOffWithoutReachingTheHandler() throws {
        let calls = HandlerCalls()
        let server = try startServer { _ in
        } handler: { request in
            calls.record()
            return echo(request)
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port)
        try client.send("POST /reactivate HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "4000\r\n" + String(repeating: "a", count: 16384) + "\r\n"
        var sendFailed = false
        for _ in 0..<64 where !sendFailed {
            do { try client.send(chunk) } catch { sendFailed = true }
        }
        #expect(sendFailed || client.closedByPeer())
        #expect(calls.value == 0)
    }

    @Test func malformedPathEscapesGet400AndTheHandlerNeverRuns() throws {
        let calls = HandlerCalls()
        let server = try startServer { _ in
        } handler: { request in
            calls.record()
            return echo(request)
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port)
        for target in ["/a%zz", "/a%4", "/%", "/%E0%A4", "/nul%00byte"] {
            let response = try client.request("GET", target)
            #expect(response.status == 400, "\(target)")
        }
        #expect(calls.value == 0)
        // The same connection still serves a good request.
        #expect(try client.request("GET", "/ok").status == 200)
    }

    @Test func keepAliveAnswersThreeRequestsOnOneConnection() throws {
        let server = try startServer()
        defer { server.stop() }
        let client = try TestConnection(port: server.port, source: "127.0.0.31")
        let first = try client.request("GET", "/one")
        let second = try client.request("POST", "/two", body: Array("a=1".utf8))
        let third = try client.request("GET", "/three")
        #expect([first.status, second.status, third.status] as [Int] == [200, 200, 200])
        #expect(first.text.contains("path=/one\n"))
        #expect(second.text.contains("bodyBytes=3\n"))
        #expect(third.text.contains("path=/three\n"))
        #expect(third.header("Connection")?.lowercased() != "close")
    }

    @Test func perAddressLimitRefusesTheExtraConnectionButServesAnotherAddress() throws {
        let server = try startServer { $0.perAddressConnectionLimit = 2 }
        defer { server.stop() }
        let first = try TestConnection(port: server.port, source: "127.0.0.41")
        let second = try TestConnection(port: server.port, source: "127.0.0.41")
        #expect(try first.request("GET", "/").status == 200)
        #expect(try second.request("GET", "/").status == 200)

        let extra = try TestConnection(port: server.port, source: "127.0.0.41", timeoutSeconds: 3)
        #expect(throws: TestClientError.closedBeforeResponse) { try extra.request("GET", "/") }

        let other = try TestConnection(port: server.port, source: "127.0.0.42")
        let served = try other.request("GET", "/")
        #expect(served.status == 200)
        #expect(served.text.contains("remote=127.0.0.42\n"))
        // The first two connections of the limited address still work.
        #expect(try first.request("GET", "/again").status == 200)
    }

    @Test func aClientThatVanishesMidRequestFreesItsSlotsByTheIdleTimeout() throws {
        // libmicrohttpd 0.9.75 in epoll mode notices a close in the middle of a request only
        // at the idle timeout (a close between requests is noticed at once); the slot must
        // come back by then at the latest.
        let server = try startServer {
            $0.perAddressConnectionLimit = 2
            $0.idleTimeoutSeconds = 1
        }
        defer { server.stop() }
        do {
            let halfBody = try TestConnection(port: server.port, source: "127.0.0.53")
            try halfBody.send("POST /p HTTP/1.1\r\nHost: portal.test\r\nContent-Length: 100\r\n\r\nabc")
            let halfHeaders = try TestConnection(port: server.port, source: "127.0.0.53")
            try halfHeaders.send("GET /half HTTP/1.1\r\n")
        }
        let start = ContinuousClock.now
        var served = false
        while !served && ContinuousClock.now - start < .seconds(4) {
            let client = try TestConnection(port: server.port, source: "127.0.0.53", timeoutSeconds: 1)
            served = (try? client.request("GET", "/"))?.status == 200
            if !served { usleep(200_000) }
        }
        #expect(served)
    }

    @Test func idleTimeoutClosesAnIdleConnection() throws {
        let server = try startServer { $0.idleTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try TestConnection(port: server.port, timeoutSeconds: 5)
        #expect(try client.request("GET", "/").status == 200)
        let start = ContinuousClock.now
        #expect(client.closedByPeer())
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(500) && waited < .seconds(4), "closed after \(waited)")
    }

    @Test func stopLetsARunningSlowRequestComplete() throws {
        let entered = Atomic<Bool>(false)
        let server = try startServer { _ in
        } handler: { request in
            entered.store(true, ordering: .relaxed)
            usleep(800_000)
            return .text("finished \(request.path)")
        }
        let client = try TestConnection(port: server.port)
        try client.send("GET /slow HTTP/1.1\r\nHost: portal.test\r\n\r\n")
        while !entered.load(ordering: .relaxed) { usleep(1_000) }
        let port = server.port
        server.stop()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "finished /slow")
        #expect(server.port == 0)
        #expect(throws: TestClientError.socket("connect", ECONNREFUSED)) { try TestConnection(port: port) }
    }

    @Test func stopDoesNotWaitForAStalledUpload() throws {
        let server = try startServer { $0.stopGracePeriodSeconds = 10 }
        let client = try TestConnection(port: server.port)
        try client.send("POST /reactivate HTTP/1.1\r\nHost: portal.test\r\nContent-Length: 100\r\n\r\nmonths=")
        usleep(100_000)
        let start = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(client.closedByPeer())
    }
}
