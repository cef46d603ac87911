import PorticoHTTP
import Testing

/// Request cookies and the Set-Cookie builder, without sockets.
@Suite struct CookieTests {
    private func cookies(_ headers: String...) -> [String: String] {
        HTTPRequest(method: "GET", path: "/", headers: HTTPHeaders(headers.map { ("cookie", $0) })).cookies
    }

    @Test func requestCookiesFirstValueWins() {
        #expect(cookies("sid=abc; theme=dark") == ["sid": "abc", "theme": "dark"])
        #expect(cookies("sid=one; sid=two", "sid=three; extra=1") == ["sid": "one", "extra": "1"])
        #expect(cookies(" a = 1 ;b=\"quoted\";; novalue; =x; c=") == ["a": "1", "b": "quoted", "c": ""])
        #expect(cookies() == [:])
    }

    @Test func setCookieHeaderValues() {
        #expect(SetCookie(name: "sid", value: "abc").headerValue == "sid=abc; Path=/; HttpOnly; SameSite=Lax")
        #expect(
            SetCookie(
                name: "sid", value: "", path: "/admin", maxAge: 0, httpOnly: true, secure: true, sameSite: .strict
            )
            .headerValue == "sid=; Path=/admin; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
        #expect(
            SetCookie(name: "c", value: "v", path: nil, httpOnly: false, sameSite: nil).headerValue == "c=v")
    }

    @Test func setCookieCannotInjectAttributesOrLines() {
        let cookie = SetCookie(
            name: "a;b", value: "x; Domain=evil\r\nSet-Cookie: y=z", path: nil, httpOnly: false, sameSite: nil)
        #expect(cookie.headerValue == "a%3Bb=x%3B%20Domain=evil%0D%0ASet-Cookie:%20y=z")
    }

    @Test func responseHelpersSetTypesAndCaching() {
        #expect(HTTPResponse.html("<p>hi</p>").header("content-type") == "text/html; charset=utf-8")
        #expect(HTTPResponse.text("hi", status: 404).status == 404)
        #expect(HTTPResponse.json([0x7B, 0x7D]).header("Content-Type") == "application/json")
        let redirect = HTTPResponse.redirect(to: "/portal", status: 303)
        #expect(redirect.status == 303)
        #expect(redirect.headers.map(\.name) == ["Location", "Cache-Control"])
        #expect(redirect.header("cache-control") == "no-store")
        #expect(
            redirect.settingCookie(SetCookie(name: "s", value: "1")).header("Set-Cookie")
                == "s=1; Path=/; HttpOnly; SameSite=Lax")
    }
}
