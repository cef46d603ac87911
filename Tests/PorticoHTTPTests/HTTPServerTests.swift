import PorticoHTTP
import PorticoTestSupport
import Testing

/// Live tests on loopback: what a client sees for ordinary requests.
@Suite struct HTTPServerTests {
    @Test func getWithQueryAndPercentDecodedPath() throws {
        let server = try startServer()
        defer { server.stop() }
        #expect(server.port != 0)
        let client = try TestConnection(port: server.port)
        let response = try client.request("GET", "/caf%C3%A9/menu%20a+b?x=1&y=a%20b+c&x=2&flag&bad=100%")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("method=GET"))
        #expect(lines.contains("path=/café/menu a+b"))
        #expect(lines.contains("rawQuery=x=1&y=a%20b+c&x=2&flag&bad=100%"))
        #expect(lines.contains("query.x=1"))
        #expect(lines.contains("query.y=a b c"))
        #expect(lines.contains("query.flag="))
        #expect(lines.contains("query.bad=100%"))
    }

    @Test func queryValuesKeepsEveryValueInOrder() throws {
        let server = try startServer { _ in
        } handler: { request in
            .text(request.queryValues("x").joined(separator: ","))
        }
        defer { server.stop() }
        let response = try TestConnection(port: server.port).request("GET", "/?x=1&y=0&x=2&x=")
        #expect(response.text == "1,2,")
    }

    @Test func remoteAddressIsTheClientSourceAddress() throws {
        let server = try startServer()
        defer { server.stop() }
        let response = try TestConnection(port: server.port, source: "127.0.0.23").request("GET", "/")
        #expect(response.text.contains("remote=127.0.0.23\n"))
    }

    @Test func headersAreCaseInsensitive() throws {
        let server = try startServer { _ in
        } handler: { request in
            .text(
                [request.headers["x-portal-probe"], request.headers["X-PORTAL-PROBE"], request.headers["host"]]
                    .map { $0 ?? "nil" }.joined(separator: "|"))
        }
        defer { server.stop() }
        let response = try TestConnection(port: server.port)
            .request("GET", "/", headers: [("X-Portal-Probe", "android")])
        #expect(response.text == "android|android|portal.test")
    }

    @Test func cookiesAreParsed() throws {
        let server = try startServer()
        defer { server.stop() }
        let response = try TestConnection(port: server.port)
            .request("GET", "/", headers: [("Cookie", "sid=abc123; theme=\"dark\";empty=; sid=second")])
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("cookie.sid=abc123"))
        #expect(lines.contains("cookie.theme=dark"))
        #expect(lines.contains("cookie.empty="))
    }

    @Test func formPostIsParsedKeepingEmptyValuesAndPlusAsSpace() throws {
        let server = try startServer { _ in
        } handler: { request in
            do {
                let form = try request.formValues()
                return .text(form.sorted { $0.key < $1.key }.map { "\($0.key)=[\($0.value)]" }.joined(separator: "\n"))
            } catch {
                return .text("\(error)", status: 400)
            }
        }
        defer { server.stop() }
        let client = try TestConnection(port: server.port)
        let response = try client.request(
            "POST", "/reactivate",
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("a=&b&months=3&name=Ana+Mar%C3%ADa&csrf=x%2By&months=9".utf8))
        #expect(response.status == 200)
        #expect(response.text == "a=[]\nb=[]\ncsrf=[x+y]\nmonths=[3]\nname=[Ana María]")

        let bad = try client.request(
            "POST", "/reactivate", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("months=%G1".utf8))
        #expect(bad.status == 400)
        #expect(bad.text == "malformed percent-escape at byte 7 of the form body")
    }

    @Test func responseHeadersKeepOrderAndRepeatsAndRedirectIsNotCached() throws {
        let server = try startServer { _ in
        } handler: { _ in
            var response = HTTPResponse.redirect(to: "http://portal.test/")
            response.setCookie(SetCookie(name: "sid", value: "abc", maxAge: 3600))
            response.setCookie(SetCookie(name: "csrf", value: "t0k", httpOnly: false, secure: true, sameSite: .strict))
            return response
        }
        defer { server.stop() }
        let response = try TestConnection(port: server.port).request(
            "GET", "/generate_204", host: "connectivitycheck.gstatic.com")
        #expect(response.status == 302)
        #expect(response.header("Location") == "http://portal.test/")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Content-Length") == "0")
        #expect(
            response.headerValues("Set-Cookie") == [
                "sid=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
                "csrf=t0k; Path=/; Secure; SameSite=Strict",
            ])
    }

    @Test func invalidResponseHeaderBecomes500() throws {
        let server = try startServer { _ in
        } handler: { _ in
            .redirect(to: "/x\r\nSet-Cookie: evil=1")
        }
        defer { server.stop() }
        let response = try TestConnection(port: server.port).request("GET", "/")
        #expect(response.status == 500)
        #expect(response.header("Set-Cookie") == nil)
        #expect(response.header("Location") == nil)
    }

    @Test func jsonResponseCarriesItsContentType() throws {
        let server = try startServer { _ in
        } handler: { _ in
            .json(#"{"captive":true}"#, contentType: "application/captive+json")
        }
        defer { server.stop() }
        let response = try TestConnection(port: server.port).request("GET", "/api/captive")
        #expect(response.header("Content-Type") == "application/captive+json")
        #expect(response.text == #"{"captive":true}"#)
    }

    @Test func bindErrorNamesTheAddress() throws {
        let first = try startServer()
        defer { first.stop() }
        let second = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: first.port)) { _ in
            .text("")
        }
        #expect(throws: HTTPServerError.bindFailed(address: "127.0.0.1:\(first.port)", errno: 98)) {
            try second.start()
        }
        let invalid = HTTPServer(configuration: HTTPServerConfiguration(host: "portal.local")) { _ in .text("") }
        #expect(throws: HTTPServerError.invalidAddress("portal.local")) { try invalid.start() }
        #expect(
            HTTPServerError.bindFailed(address: "127.0.0.1:80", errno: 98).description
                == "cannot bind 127.0.0.1:80: Address already in use (errno 98)")
    }
}
