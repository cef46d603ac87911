import Foundation
import PorticoHTTP
import PorticoTestSupport
import Testing

/// Heads that must be refused (RFC 9112), sent as raw bytes on loopback; each test reads the
/// whole byte stream the server answers, up to its close, and asserts on all of it.
@Suite struct HTTPStrictnessTests {
    /// Everything the server sent after `bytes`, and whether it closed the connection
    /// (within `seconds`: a server that hangs fails the test instead of stalling it).
    struct Exchange {
        var text: String
        var closed: Bool
        /// Status codes of every status line in the stream, in order.
        var statuses: [Int] {
            text.components(separatedBy: "\r\n").compactMap { line in
                guard line.hasPrefix("HTTP/1.") else { return nil }
                let parts = line.split(separator: " ")
                return parts.count >= 2 ? Int(parts[1]) : nil
            }
        }
    }

    static func exchange(_ port: UInt16, _ bytes: [UInt8], seconds: Int = 3) throws -> Exchange {
        let client = try TestConnection(port: port, timeoutSeconds: seconds)
        try client.send(bytes)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client.descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk[..<count]
                continue
            }
            let closed = count == 0 || errno == ECONNRESET
            return Exchange(text: String(decoding: received, as: UTF8.self), closed: closed)
        }
    }

    static func exchange(_ port: UInt16, _ text: String, seconds: Int = 3) throws -> Exchange {
        try exchange(port, Array(text.utf8), seconds: seconds)
    }

    private func counting() throws -> (HTTPServer, HandlerCalls) {
        let calls = HandlerCalls()
        let server = try startServer { _ in
        } handler: { request in
            calls.record()
            return echo(request)
        }
        return (server, calls)
    }

    @Test func contentLengthWithTransferEncodingIsRefusedAndTheSmuggledRequestNeverServed() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        let smuggling =
            "POST /pay HTTP/1.1\r\nHost: portal.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: portal.test\r\n\r\n"
        let answer = try Self.exchange(server.port, smuggling)
        #expect(answer.statuses == [400])
        #expect(answer.text.contains("Bad request: the request has both Content-Length and Transfer-Encoding."))
        #expect(answer.text.contains("Connection: close"))
        #expect(answer.closed)
        #expect(!answer.text.contains("smuggled"))
        #expect(calls.value == 0)
    }

    @Test func blanksBeforeTheColonAndOddHeaderNamesGet400() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        let heads = [
            "POST /pay HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: portal.test\r\nX Forwarded: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: portal.test\r\nX-Tab\t: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: portal.test\r\nX(y): 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: portal.test\r\nX-Bell: a\u{07}b\r\n\r\n",
        ]
        for head in heads {
            let answer = try Self.exchange(server.port, head)
            #expect(answer.statuses == [400], "\(head.debugDescription)")
            #expect(answer.closed, "\(head.debugDescription)")
        }
        #expect(calls.value == 0)
    }

    @Test func aNULOrControlByteInTheTargetGets400AndIsNeverServedAsTheRoot() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        let targets: [[UInt8]] = [
            Array("/".utf8) + [0] + Array("abc".utf8), Array("/a".utf8) + [0x01] + Array("b".utf8),
            Array("/a".utf8) + [0x7F], Array("/a b".utf8), Array("/a\tb".utf8), Array("/?q=".utf8) + [0x1B],
        ]
        for target in targets {
            let request = Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: portal.test\r\n\r\n".utf8)
            let answer = try Self.exchange(server.port, request)
            #expect(answer.statuses == [400], "\(target)")
            #expect(answer.text.contains("the request target holds a space or a control character"), "\(target)")
            #expect(!answer.text.contains("path=/"), "\(target)")
            #expect(answer.closed)
        }
        #expect(calls.value == 0)
        // The same bytes percent-encoded are fine (and a NUL escape is refused as before).
        let client = try TestConnection(port: server.port)
        #expect(try client.request("GET", "/a%01b").text.contains("path=/a\u{01}b\n"))
        #expect(try client.request("GET", "/a%00b").status == 400)
    }

    @Test func anInvalidContentLengthGetsOne400AndTheConnectionCloses() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        for value in ["abc", "-1", "1,2", "0x10", "99999999999999999999999"] {
            let answer = try Self.exchange(
                server.port, "POST /pay HTTP/1.1\r\nHost: portal.test\r\nContent-Length: \(value)\r\n\r\nabcdef")
            // libmicrohttpd 0.9.75 refuses these itself, before any callback of Portico's runs,
            // and writes the head of its 400 twice: `parse_connection_headers` queues the error
            // and builds its head, then the state it set is overwritten with HEADERS_PROCESSED
            // and START_REPLY builds the head again (connection.c, MHD_connection_handle_idle).
            // Nothing is called in between that could stop it; the known issue fails this test
            // as soon as a libmicrohttpd without the bug sends one.
            withKnownIssue("libmicrohttpd 0.9.75 writes the head of its own 400 twice") {
                #expect(answer.statuses.count == 1, "Content-Length: \(value): \(answer.text.debugDescription)")
            }
            #expect(answer.statuses.allSatisfy { $0 == 400 || $0 == 413 }, "Content-Length: \(value)")
            #expect(!answer.text.contains("path=/pay"))
            #expect(answer.closed)
        }
        // Two lengths that disagree are refused too (a front end might read the other one).
        let two = try Self.exchange(
            server.port, "POST /pay HTTP/1.1\r\nHost: portal.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        #expect(two.statuses == [400])
        #expect(two.text.contains("Content-Length headers that disagree"))
        #expect(two.closed)
        #expect(calls.value == 0)
    }

    @Test func anUnknownTransferCodingGets501AtOnce() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        for coding in ["xchunked", "gzip, chunked", "chunked, gzip", "identity"] {
            let answer = try Self.exchange(
                server.port, "POST /pay HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding: \(coding)\r\n\r\n")
            #expect(answer.statuses == [501], "\(coding)")
            #expect(answer.text.contains("is not supported"), "\(coding)")
            #expect(answer.closed, "\(coding)")
        }
        let twice = try Self.exchange(
            server.port, "POST /pay HTTP/1.1\r\nHost: portal.test\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")
        #expect(twice.statuses == [400])
        let http10 = try Self.exchange(
            server.port, "POST /pay HTTP/1.0\r\nHost: portal.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(http10.statuses == [400])
        #expect(http10.text.contains("not allowed in an HTTP/1.0 request"))
        #expect(calls.value == 0)
    }

    @Test func hostMustBeThereOnceInHTTP11() throws {
        let (server, calls) = try counting()
        defer { server.stop() }
        let none = try Self.exchange(server.port, "GET / HTTP/1.1\r\n\r\n")
        #expect(none.statuses == [400])
        #expect(none.text.contains("needs a Host header"))
        let two = try Self.exchange(server.port, "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n")
        #expect(two.statuses == [400])
        #expect(calls.value == 0)
        // HTTP/1.0 without Host is still answered.
        let old = try Self.exchange(server.port, "GET /old HTTP/1.0\r\n\r\n")
        #expect(old.statuses == [200])
        #expect(old.text.contains("path=/old"))
    }

    @Test func theFastPathSeesOnlyHeadsThatPassed() throws {
        let fastCalls = HandlerCalls()
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.maxBodyBytes = 1024
        let server = HTTPServer(
            configuration: configuration,
            fastPath: { _ in
                fastCalls.record()
                return .redirect(to: "http://portal.test/")
            }, handler: echo)
        try server.start()
        defer { server.stop() }
        let smuggling =
            "POST / HTTP/1.1\r\nHost: news.example\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: news.example\r\n\r\n"
        #expect(try Self.exchange(server.port, smuggling).statuses == [400])
        #expect(
            try Self.exchange(server.port, Array("GET /\0x HTTP/1.1\r\nHost: news.example\r\n\r\n".utf8)).statuses == [
                400
            ])
        #expect(fastCalls.value == 0)
        // A good request is still answered by the fast path, on a connection kept alive.
        let client = try TestConnection(port: server.port)
        #expect(try client.request("GET", "/", host: "news.example").status == 302)
        #expect(try client.request("GET", "/again", host: "news.example").status == 302)
        #expect(fastCalls.value == 2)
    }
}
