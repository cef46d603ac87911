import Foundation
import Logging
import PorticoAdmin
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport

/// A response of the admin UI with the cookies it set.
struct AdminResult {
    let response: HTTPResponse
    var status: Int { response.status }
    var text: String { String(decoding: response.body, as: UTF8.self) }
    var location: String? { response.header("Location") }
    func cookie(_ name: String) -> String? {
        for (n, v) in response.headers where n == "Set-Cookie" && v.hasPrefix(name + "=") {
            return String(v.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }
}

/// The admin listener (UI and API) over a fresh database, the `off` firewall and a clock that
/// tests move, with an admin `alice` (fast scrypt parameters) and handlers called directly.
final class AdminFixture {
    static let password = "correct horse battery"
    let api: APIFixture
    let site: AdminSite
    var store: Store { api.store }
    var context: WebContext { api.context }

    init(today: String = "2026-03-01", settings: [(String, String)] = []) throws {
        api = try APIFixture(today: today, settings: settings)
        site = AdminSite(context: api.context, ui: AdminUIOptions(hasher: .fastForTests))
        _ = try store.createAdminUser(
            username: "alice",
            passwordHash: PasswordHasher.fastForTests.hash(Self.password),
            on: try LocalDate(today))
    }

    deinit { api.remove() }

    /// Moves the clock by `seconds` (from noon of the fixture's day).
    func advance(seconds: Double) {
        api.now.instant.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    func request(
        _ method: String, _ path: String, form: [(String, String)]? = nil, cookies: [String: String] = [:],
        headers: [(String, String)] = [], from address: String = "192.0.2.10"
    ) -> AdminResult {
        var h = HTTPHeaders()
        h.append(name: "Host", value: "admin.test")
        if !cookies.isEmpty {
            h.append(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        var body: [UInt8] = []
        if let form {
            h.append(name: "Content-Type", value: "application/x-www-form-urlencoded")
            body = Array(form.map { "\(URLText.encode($0.0))=\(URLText.encode($0.1))" }.joined(separator: "&").utf8)
        }
        for (n, v) in headers { h.append(name: n, value: v) }
        let parts = path.split(separator: "?", maxSplits: 1)
        return AdminResult(
            response: site.handle(
                HTTPRequest(
                    method: method, path: String(parts[0]), rawQuery: parts.count > 1 ? String(parts[1]) : "",
                    headers: h,
                    body: body, remoteAddress: address)))
    }

    /// Posts the sign-in form as a browser would (its pre-session cookie and token).
    func signIn(
        _ username: String = "alice", _ password: String = AdminFixture.password,
        from address: String = "192.0.2.10"
    ) -> AdminResult {
        let page = request("GET", "/sign-in", from: address)
        let nonce = page.cookie("portico_signin")!
        return request(
            "POST", "/sign-in",
            form: [
                ("csrf", hidden(page.text, "csrf")!), ("username", username),
                ("password", password),
            ],
            cookies: ["portico_signin": nonce], from: address)
    }

    /// A signed-in session: its cookie and the CSRF token of its forms.
    func session() throws -> Session {
        let r = signIn()
        guard r.status == 303, let token = r.cookie("portico_admin") else {
            throw APIFixtureError("sign-in: \(r.status) \(r.text)")
        }
        let dashboard = request("GET", "/", cookies: ["portico_admin": token])
        return Session(fixture: self, token: token, csrf: hidden(dashboard.text, "csrf")!)
    }

    struct Session {
        let fixture: AdminFixture
        let token: String
        let csrf: String

        func get(_ path: String) -> AdminResult { fixture.request("GET", path, cookies: ["portico_admin": token]) }

        /// Posts a form with the session's CSRF token; follows nothing.
        func post(_ path: String, _ form: [(String, String)]) -> AdminResult {
            fixture.request("POST", path, form: [("csrf", csrf)] + form, cookies: ["portico_admin": token])
        }

        /// The message a form's answer shows: after a redirect (a saved form), on the next page;
        /// on a refused form (4xx/5xx: its page rendered again), on that page.
        func flash(_ r: AdminResult) -> String {
            let html: String
            if r.status == 303 {
                guard let cookie = r.cookie("portico_flash"), let location = r.location else { return "" }
                html =
                    fixture.request("GET", location, cookies: ["portico_admin": token, "portico_flash": cookie]).text
            } else {
                html = r.text
            }
            guard let start = html.range(of: "id=\"flash\" role=\"status\">") else { return "" }
            return String(html[start.upperBound...].prefix { $0 != "<" })
        }
    }
}

/// The text of every element whose attribute `attribute="value"` (first match per element).
func texts(_ html: String, after marker: String) -> [String] {
    var out: [String] = []
    var rest = Substring(html)
    while let r = rest.range(of: marker) {
        let tail = rest[r.upperBound...]
        guard let close = tail.firstIndex(of: ">") else { break }
        out.append(String(tail[tail.index(after: close)...].prefix { $0 != "<" }))
        rest = tail
    }
    return out
}
