import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Sign-in, sessions, CSRF tokens and the flash message.
extension AdminUI {
    var now: Int64 { Int64(context.clock.instant().timeIntervalSince1970) }

    /// The unexpired session the request's cookie names.
    func currentSession(_ request: HTTPRequest) -> AdminSessionRecord? {
        guard let token = request.cookies[Self.sessionCookie], token.utf8.count == 64 else { return nil }
        do {
            return try store.adminSession(tokenHash: tokenHash(token), now: now)
        } catch {
            context.logger.error("admin session lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Forms of a session carry an HMAC of the session (the same stateless tokens as the
    /// portal's, with the session's hash as the subject): valid for the day they were made and
    /// the next, useless to anyone without the session.
    func csrfSubject(_ session: AdminSessionRecord) -> String { "admin|" + session.tokenHash }

    func csrfToken(_ session: AdminSessionRecord) -> String {
        context.csrf.token(for: csrfSubject(session), on: context.clock.today())
    }

    /// A POST's `Origin` (when the browser sends one) names this host: a second guard besides
    /// the token, and `SameSite=Strict` on the cookie.
    func sameOrigin(_ request: HTTPRequest) -> Bool {
        guard let origin = request.headers["Origin"] else { return true }
        guard let host = request.headers["Host"], let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == host.lowercased()
    }

    // MARK: Sign-in

    /// The sign-in form. Its CSRF token is tied to a random pre-session cookie, so a sign-in
    /// cannot be forged from another site either.
    func signInPage(_ request: HTTPRequest, error: String? = nil, status: Int = 200) -> HTTPResponse {
        let existing = request.cookies[Self.signInCookie].flatMap { $0.utf8.count == 32 ? $0 : nil }
        let nonce = existing ?? hexString(randomBytes(16))
        var response = HTTPResponse.html(
            context.templates.render(
                "admin/sign-in",
                [
                    "ispName": context.branding.ispName, "error": error ?? "",
                    "csrf": context.csrf.token(for: "signin|" + nonce, on: context.clock.today()),
                ]),
            status: status)
        if existing == nil { response.setCookie(cookie(Self.signInCookie, nonce, request)) }
        return response
    }

    func signIn(_ request: HTTPRequest) -> HTTPResponse {
        guard let fields = try? request.formValues() else { return errorPage(400, "The form could not be read.") }
        guard sameOrigin(request), let nonce = request.cookies[Self.signInCookie],
            context.csrf.isValid(fields["csrf"], for: "signin|" + nonce, on: context.clock.today())
        else {
            return signInPage(
                request, error: "The sign-in form expired (cookies must be on). Please try again.",
                status: 403)
        }
        let username = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        let address = request.remoteAddress
        let now = self.now
        do {
            let failures = try store.signInFailures(
                username: username, address: address,
                since: now - options.throttle.windowSeconds)
            if let wait = options.throttle.retryAfter(failures: failures, now: now) {
                context.logger.warning(
                    "admin sign-in throttled",
                    metadata: ["username": "\(username)", "address": "\(address)"])
                var r = signInPage(
                    request, error: "Too many failed sign-ins. Try again in \(wait) seconds.",
                    status: 429)
                r.addHeader("Retry-After", String(wait))
                return r
            }
            let user = username.isEmpty ? nil : try store.adminUser(named: username)
            // Unknown users are checked against a decoy hash, so they take as long as known ones.
            let matches = PasswordHasher.verify(password, against: user?.passwordHash ?? PasswordHasher.decoy)
            try store.recordSignInAttempt(
                username: username, address: address, at: now,
                succeeded: matches && user != nil)
            guard matches, let user else {
                context.logger.warning(
                    "admin sign-in failed", metadata: ["username": "\(username)", "address": "\(address)"])
                return signInPage(request, error: "Wrong username or password.", status: 401)
            }
            let token = hexString(randomBytes(32))
            try store.createAdminSession(
                tokenHash: tokenHash(token), userId: user.id, now: now,
                lifetime: options.sessionLifetimeSeconds, address: address)
            try store.auditAdminAction(
                on: context.clock.today(), event: "admin signed in",
                reason: "\(user.username) from \(address)")
            var r = HTTPResponse.redirect(to: "/", status: 303)
            r.setCookie(cookie(Self.sessionCookie, token, request))
            r.setCookie(expired(Self.signInCookie, request))
            return r
        } catch {
            context.logger.error("admin sign-in failed", metadata: ["error": "\(error)"])
            return errorPage(500, "Signing in failed on our side. The log has the details.")
        }
    }

    func signOut(_ r: AdminRequest) -> HTTPResponse {
        try? store.deleteAdminSession(tokenHash: r.session.tokenHash)
        var response = HTTPResponse.redirect(to: "/sign-in", status: 303)
        response.setCookie(expired(Self.sessionCookie, r.http))
        return response
    }

    /// A session cookie: `HttpOnly; SameSite=Strict`, and `Secure` over HTTPS.
    func cookie(_ name: String, _ value: String, _ request: HTTPRequest) -> SetCookie {
        let https = options.secureCookies || (request.headers["Origin"]?.lowercased().hasPrefix("https://") ?? false)
        return SetCookie(name: name, value: value, path: "/", httpOnly: true, secure: https, sameSite: .strict)
    }

    func expired(_ name: String, _ request: HTTPRequest) -> SetCookie {
        var c = cookie(name, "", request)
        c.maxAge = 0
        return c
    }
}

/// A one-time message shown on the page after a form (a short-lived cookie; hex so that any
/// text survives the cookie syntax).
struct Flash: Equatable {
    enum Kind: String { case ok, error }
    var kind: Kind
    var text: String

    var cookie: SetCookie {
        let value = kind.rawValue + "-" + hexString(Array(text.prefix(1500).utf8))
        return SetCookie(
            name: AdminUI.flashCookie, value: value, path: "/", maxAge: 60, httpOnly: true,
            sameSite: .strict)
    }

    static var clear: SetCookie {
        SetCookie(name: AdminUI.flashCookie, value: "", path: "/", maxAge: 0, httpOnly: true, sameSite: .strict)
    }

    static func read(_ request: HTTPRequest) -> Flash? {
        guard let raw = request.cookies[AdminUI.flashCookie], let dash = raw.firstIndex(of: "-"),
            let kind = Kind(rawValue: String(raw[..<dash])),
            let bytes = PasswordHasher.bytes(hex: String(raw[raw.index(after: dash)...])),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        return Flash(kind: kind, text: text)
    }
}
