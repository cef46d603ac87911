import Foundation
import PorticoAdmin
import PorticoCore
import PorticoStore
import PorticoWebSupport
import Testing

/// The admin UI's security rules: sessions, CSRF, the sign-in throttle, escaping.
@Suite struct AdminSecurityTests {
    @Test func noPageOrFormOrAPIWithoutASessionOrToken() throws {
        let f = try AdminFixture()
        let s = try f.session()
        #expect(s.post("/clients", [("name", "Ana"), ("email", "ana@example.net")]).status == 303)
        for path in AdminUI.pagePaths.map({ $0.replacingOccurrences(of: "{id}", with: "1") }) {
            for cookies in [[:], ["portico_admin": String(repeating: "a", count: 64)], ["portico_admin": "x"]] {
                let r = f.request("GET", path, cookies: cookies)
                #expect(r.status == 303 && r.location == "/sign-in", "\(path)")
                #expect(!r.text.contains("Ana"), "\(path)")
            }
        }
        for path in AdminUI.formPaths.map({ $0.replacingOccurrences(of: "{id}", with: "1") }) {
            let r = f.request("POST", path, form: [("csrf", s.csrf), ("name", "Mallory")])
            #expect(r.status == 403, "\(path)")
        }
        #expect(try f.store.clients().map(\.name) == ["Ana"])
        #expect(f.request("GET", "/api/v1/clients").status == 401)
        #expect(f.request("GET", "/api/v1/clients", cookies: ["portico_admin": s.token]).status == 401)
        // Signing out ends the session on the server too.
        #expect(s.post("/sign-out", []).location == "/sign-in")
        #expect(s.get("/clients").status == 303)
    }

    @Test func sessionCookieIsHttpOnlyAndStrict() throws {
        let f = try AdminFixture()
        let r = f.signIn()
        let header = r.response.headers.first { $0.name == "Set-Cookie" && $0.value.hasPrefix("portico_admin=") }!.value
        #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && !header.contains("Secure"))
        let page = f.request("GET", "/sign-in")
        let tls = f.request(
            "POST", "/sign-in",
            form: [("csrf", hidden(page.text, "csrf")!), ("username", "alice"), ("password", AdminFixture.password)],
            cookies: ["portico_signin": page.cookie("portico_signin")!],
            headers: [("Origin", "https://admin.test")])
        // Signed in through a TLS-terminating proxy (an https origin of this host): Secure.
        #expect(tls.status == 303)
        #expect(
            tls.response.headers.contains {
                $0.name == "Set-Cookie" && $0.value.hasPrefix("portico_admin=")
                    && $0.value.contains("; Secure")
            })
        // Sessions end: 12 hours later the cookie opens nothing.
        let token = r.cookie("portico_admin")!
        #expect(f.request("GET", "/", cookies: ["portico_admin": token]).status == 200)
        f.advance(seconds: 12 * 3600 + 1)
        #expect(f.request("GET", "/", cookies: ["portico_admin": token]).status == 303)
        #expect(page.response.header("Content-Security-Policy")!.contains("default-src 'none'"))
        #expect(page.response.header("X-Frame-Options") == "DENY")
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRejected() throws {
        let f = try AdminFixture()
        let s = try f.session()
        let other = try f.session()
        let cookies = ["portico_admin": s.token]
        let attempts: [(form: [(String, String)], headers: [(String, String)])] = [
            ([("name", "Eve")], []),
            ([("csrf", "0123456789abcdef0123456789abcdef"), ("name", "Eve")], []),
            ([("csrf", other.csrf), ("name", "Eve")], []),
            ([("csrf", s.csrf), ("name", "Eve")], [("Origin", "http://evil.example")]),
        ]
        for a in attempts {
            let r = f.request("POST", "/clients", form: a.form, cookies: cookies, headers: a.headers)
            #expect(r.status == 403)
            #expect(r.text.contains("did not come from this site"))
        }
        #expect(try f.store.clients().isEmpty)
        let ok = f.request(
            "POST", "/clients", form: [("csrf", s.csrf), ("name", "Eve")], cookies: cookies,
            headers: [("Origin", "http://admin.test")])
        #expect(ok.status == 303)
        // The sign-in form has its own token, tied to a pre-session cookie.
        let page = f.request("GET", "/sign-in")
        let forged = f.request(
            "POST", "/sign-in",
            form: [
                ("csrf", hidden(page.text, "csrf")!), ("username", "alice"),
                ("password", AdminFixture.password),
            ])
        #expect(forged.status == 403 && forged.cookie("portico_admin") == nil)
    }

    @Test func aWrongPasswordFiveTimesIsSlowedDownPerUsername() throws {
        let f = try AdminFixture()
        for i in 0..<5 {
            let r = f.signIn("alice", "wrong password", from: "192.0.2.\(20 + i)")
            #expect(r.status == 401)
            #expect(r.text.contains("Wrong username or password."))
        }
        // The sixth attempt, even with the right password and from a new address, waits.
        let slowed = f.signIn(from: "192.0.2.99")
        #expect(slowed.status == 429)
        #expect(slowed.response.header("Retry-After") == "30")
        #expect(slowed.cookie("portico_admin") == nil)
        f.advance(seconds: 31)
        #expect(f.signIn(from: "192.0.2.99").status == 303)
        // A success clears the username's count.
        #expect(f.signIn("alice", "wrong again").status == 401)
        #expect(f.signIn().status == 303)
    }

    @Test func aWrongPasswordFiveTimesIsSlowedDownPerAddressAndDoubles() throws {
        let f = try AdminFixture()
        _ = try f.store.createAdminUser(
            username: "bob", passwordHash: PasswordHasher.fastForTests.hash("bob's password"),
            on: try LocalDate("2026-03-01"))
        for name in ["carol", "dave", "erin", "frank", "alice"] {
            #expect(f.signIn(name, "guess", from: "198.51.100.7").status == 401)
        }
        #expect(f.signIn("bob", "bob's password", from: "198.51.100.7").status == 429)
        #expect(f.signIn("bob", "bob's password", from: "198.51.100.8").status == 303)
        f.advance(seconds: 31)
        #expect(f.signIn("gina", "guess", from: "198.51.100.7").status == 401)
        let doubled = f.signIn("bob", "bob's password", from: "198.51.100.7")
        #expect(doubled.status == 429 && doubled.response.header("Retry-After") == "60")
    }

    @Test func valuesWithHTMLAndScriptAreEscapedOnEveryPage() throws {
        let f = try AdminFixture(today: "2026-03-01", settings: [("reactivation.enabled", "true")])
        let s = try f.session()
        let evil = "<script>alert(1)</script>"
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
        #expect(
            s.post(
                "/plans",
                [
                    ("name", evil), ("monthlyPrice", "30.00"), ("billingPeriods", "1"),
                    ("overrideRole", "secondary"),
                ]
            ).status == 303)
        #expect(
            s.post(
                "/plans",
                [
                    ("name", "Vacation " + evil), ("monthlyPrice", "15.00"),
                    ("overrideRole", "primary"),
                ]
            ).status == 303)
        let created = s.post("/clients", [("name", evil), ("email", "evil@example.net")])
        #expect(s.flash(created).contains("Client " + escaped + " created."))
        let client = try f.store.clients()[0]
        #expect(client.name == evil)
        let plan = try f.store.plans()[0]
        #expect(
            s.post(
                "/services",
                [
                    ("clientId", "\(client.id)"), ("planId", "\(plan.id)"),
                    ("activeFrom", "2026-01-01"), ("addresses", "198.51.100.20"),
                ]
            ).status == 303)
        let service = try f.store.services(clientId: client.id, on: try LocalDate("2026-03-01"))[0]
        #expect(s.post("/billing/run", [("date", "2026-03-01")]).status == 303)
        #expect(
            s.post(
                "/payments",
                [
                    ("clientId", "\(client.id)"), ("amount", "10.00"), ("method", evil),
                    ("reference", evil),
                ]
            ).status == 303)
        #expect(s.post("/services/\(service.id)/release", [("reason", evil)]).status == 303)
        #expect(s.post("/services/\(service.id)/suspend", [("reason", evil)]).status == 303)
        #expect(s.post("/settings/portal-texts", [("en.contact", evil), ("en.page.notice", evil)]).status == 303)
        let documents = try f.store.documents(clientId: client.id)
        let messages = try f.store.outboxMessages(limit: 10)
        #expect(!documents.isEmpty && !messages.isEmpty)
        var pages = AdminUI.pagePaths.filter { !$0.contains("{id}") }
        pages += [
            "/clients/\(client.id)", "/services/\(service.id)", "/documents/\(documents[0].id)",
            "/outbox/\(messages[0].id)", "/outbox/\(messages[0].id)/html", "/audit?client=\(client.id)",
            "/clients?q=\(URLText.encode("<script>"))",
        ]
        let review = s.post(
            "/services/\(service.id)/hold/review",
            [("planId", "\(try f.store.plans()[1].id)"), ("from", "2026-03-05")])
        #expect(review.status == 200)
        #expect(review.text.contains(escaped) && !review.text.contains(evil))
        for path in pages {
            let page = s.get(path)
            #expect(page.status == 200, "\(path)")
            #expect(!page.text.contains("<script"), "\(path)")
        }
        for path in [
            "/clients", "/clients/\(client.id)", "/plans", "/documents", "/payments", "/audit", "/outbox",
            "/settings", "/outbox/\(messages[0].id)", "/clients?q=\(URLText.encode("<script>"))",
        ] {
            #expect(s.get(path).text.contains(escaped), "\(path)")
        }
        // The email the client receives escapes it too.
        #expect(messages.allSatisfy { !$0.html.contains(evil) })
    }

    @Test func passwordHashesAreScryptWithTheirParameters() throws {
        let hash = try PasswordHasher.fastForTests.hash("s3cret password")
        #expect(hash.hasPrefix("scrypt$1024$8$1$"))
        #expect(PasswordHasher.verify("s3cret password", against: hash))
        #expect(!PasswordHasher.verify("s3cret passwore", against: hash))
        #expect(!PasswordHasher.verify("s3cret password", against: "scrypt$3$8$1$00$00"))
        #expect(!PasswordHasher.verify("", against: ""))
        #expect(try PasswordHasher.fastForTests.hash("x") != PasswordHasher.fastForTests.hash("x"))
    }
}
