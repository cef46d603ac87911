import Foundation
import PorticoCurl
import PorticoHTTP
import PorticoTestSupport
import Testing

/// Buffered requests against PorticoHTTP's server on loopback: what arrives there, what comes back.
@Suite struct HTTPClientTests {
    /// Answers with what it received: method, path, body, two headers, as `key=value` lines.
    static let echo: @Sendable (HTTPRequest) -> HTTPResponse = { request in
        let lines = [
            "method=\(request.method)", "path=\(request.path)?\(request.rawQuery)",
            "body=\(String(decoding: request.body, as: UTF8.self))",
            "content-type=\(request.headers["Content-Type"] ?? "")", "x-token=\(request.headers["X-Token"] ?? "")",
            "user-agent=\(request.headers["User-Agent"] ?? "")",
        ]
        return HTTPResponse(
            status: request.path == "/missing" ? 404 : 200, headers: [("X-Served-By", "loopback")],
            body: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    func lines(_ response: HTTPClient.Response) -> [String: String] {
        var out: [String: String] = [:]
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }

    @Test func getReturnsStatusHeadersAndBody() throws {
        let server = try startHTTPServer(handler: Self.echo)
        defer { server.stop() }
        let response = try HTTPClient().send(
            .init(url: "http://127.0.0.1:\(server.port)/v1/things?limit=2", headers: [("X-Token", "abc")]))
        #expect(response.status == 200)
        #expect(response.header("x-served-by") == "loopback")
        let seen = lines(response)
        #expect(seen["method"] == "GET" && seen["path"] == "/v1/things?limit=2")
        #expect(seen["x-token"] == "abc" && seen["user-agent"] == "Portico")
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func methodsCarryTheirBody(method: String) throws {
        let server = try startHTTPServer(handler: Self.echo)
        defer { server.stop() }
        let response = try HTTPClient().send(
            .init(
                method: method, url: "http://127.0.0.1:\(server.port)/rest/ip/address/*1",
                headers: [("Content-Type", "application/json")], body: Array(#"{"disabled":"true"}"#.utf8)))
        let seen = lines(response)
        #expect(seen["method"] == method)
        #expect(seen["body"] == #"{"disabled":"true"}"#)
        #expect(seen["content-type"] == "application/json")
    }

    @Test func anErrorStatusIsAnAnswer() throws {
        let server = try startHTTPServer(handler: Self.echo)
        defer { server.stop() }
        let response = try HTTPClient().send(.init(url: "http://127.0.0.1:\(server.port)/missing"))
        #expect(response.status == 404)
        #expect(lines(response)["method"] == "GET")
    }

    @Test func basicAuthSendsTheCredentials() throws {
        let server = try startHTTPServer { request in
            // RouterOS REST: `Authorization: Basic base64(user:password)` on every request.
            let expected = "Basic " + Data("portico:s3cret pass".utf8).base64EncodedString()
            return request.headers["Authorization"] == expected
                ? .text("welcome\n") : HTTPResponse(status: 401, body: Array("who are you?\n".utf8))
        }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/rest/system/resource"
        let signedIn = try HTTPClient().send(
            .init(url: url, credentials: CurlCredentials(username: "portico", password: "s3cret pass")))
        #expect(signedIn.status == 200 && String(decoding: signedIn.body, as: UTF8.self) == "welcome\n")
        #expect(try HTTPClient().send(.init(url: url)).status == 401)
        let wrong = try HTTPClient().send(
            .init(url: url, credentials: CurlCredentials(username: "portico", password: "x")))
        #expect(wrong.status == 401)
        #expect("\(CurlCredentials(username: "portico", password: "s3cret pass"))" == "portico:[redacted]")
    }

    @Test func anAnswerOverTheLimitIsRefused() throws {
        let server = try startHTTPServer { _ in .text(String(repeating: "x", count: 5000)) }
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try HTTPClient(maxResponseBytes: 5000).send(.init(url: url)).body.count == 5000)
        let error = try #require(throws: CurlError.self) {
            try HTTPClient(maxResponseBytes: 4096).send(.init(url: url))
        }
        #expect(error.responseTooLarge)
        #expect(error.description.hasPrefix("the answer was larger than 4096 bytes"))
    }

    @Test func aRefusedConnectionSentNothing() throws {
        // A port nothing listens on: bound, then closed.
        let port = try RawLoopbackServer(accepting: false).port
        let error = try #require(throws: CurlError.self) {
            try HTTPClient().send(.init(url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error.nothingSent && !error.timedOut)
        #expect(error.operation == "curl_easy_perform")
        #expect(error.description.contains("curl 7"))
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let silent = try RawLoopbackServer(accepting: false)
        defer { silent.stop() }
        let started = ContinuousClock.now
        let error = try #require(throws: CurlError.self) {
            try HTTPClient().send(
                .init(url: silent.url + "/", timeouts: CurlTimeouts(connect: .seconds(2), total: .milliseconds(300))))
        }
        #expect(error.timedOut && !error.nothingSent)
        // A bounded wait: the 300 ms limit ended it, not some default minutes later.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func onlyHTTPAndHTTPSAreSpoken() throws {
        let error = try #require(throws: CurlError.self) {
            try HTTPClient().send(.init(url: "file:///etc/passwd"))
        }
        #expect(error.description.contains("curl 1"))
    }
}
