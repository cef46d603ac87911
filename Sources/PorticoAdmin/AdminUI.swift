import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

/// Options of the admin UI.
public struct AdminUIOptions: Sendable {
    /// Mark the session cookie `Secure`: the admin listener serves HTTPS. A sign-in posted from
    /// an `https://` origin (a TLS-terminating proxy) gets `Secure` as well.
    public var secureCookies: Bool
    public var sessionLifetimeSeconds: Int64
    public var hasher: PasswordHasher
    public var throttle: SignInThrottle

    public init(
        secureCookies: Bool = false, sessionLifetimeSeconds: Int64 = 12 * 3600,
        hasher: PasswordHasher = PasswordHasher(), throttle: SignInThrottle = SignInThrottle()
    ) {
        self.secureCookies = secureCookies
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
        self.hasher = hasher
        self.throttle = throttle
    }
}

/// The admin web UI (SPEC §12) on the admin listener: server-rendered pages from
/// `templates/admin/`, no scripts and no external assets.
///
/// Every page and form needs a session (`/sign-in` makes one); every POST carries the
/// session's CSRF token (`csrf`) and, when the browser sends one, an `Origin` of this host.
/// Responses forbid framing, caching and any script (`Content-Security-Policy`).
public struct AdminUI: Sendable {
    static let sessionCookie = "portico_admin"
    static let signInCookie = "portico_signin"
    static let flashCookie = "portico_flash"

    let context: AdminContext
    let options: AdminUIOptions

    public init(context: AdminContext, options: AdminUIOptions = AdminUIOptions()) {
        self.context = context
        self.options = options
    }

    var store: Store { context.store }

    /// Serves one request of the admin listener that is not the JSON API.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        for (name, value) in Self.securityHeaders where response.header(name) == nil { response.addHeader(name, value) }
        return response
    }

    static let securityHeaders: [(String, String)] = [
        ("Cache-Control", "no-store"),
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]

    func route(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/sign-in" {
            switch request.method {
            case "GET", "HEAD": return signInPage(request)
            case "POST": return signIn(request)
            default: return methodNotAllowed(["GET", "POST"])
            }
        }
        guard let session = currentSession(request) else {
            if request.method == "GET" || request.method == "HEAD" { return .redirect(to: "/sign-in", status: 303) }
            return errorPage(403, "Sign in first: this needs an admin session.")
        }
        let run: Page
        let params: [String: String]
        switch Self.routes.match(request.method, request.path) {
        case .handler(let page, let p): (run, params) = (page, p)
        case .methodNotAllowed(let allowed): return methodNotAllowed(allowed)
        case .notFound: return errorPage(404, "There is no page at \(request.path).")
        }
        var admin = AdminRequest(
            http: request, params: params, session: session,
            csrf: csrfToken(session), flash: Flash.read(request), form: [:])
        if request.method == "POST" {
            guard let fields = try? request.formValues() else {
                return errorPage(400, "The form could not be read.")
            }
            guard sameOrigin(request), let sent = fields["csrf"],
                context.csrf.isValid(sent, for: csrfSubject(session), on: context.clock.today())
            else {
                context.logger.warning(
                    "admin form refused: bad CSRF token or origin",
                    metadata: ["path": "\(request.path)", "user": "\(session.username)"])
                return errorPage(
                    403, "This form has expired or did not come from this site. Reload the page and try again.")
            }
            admin.form = fields
            context.logger.info("admin action", metadata: ["path": "\(request.path)", "user": "\(session.username)"])
        }
        do {
            var response = try run(self, admin)
            if admin.flash != nil && request.method != "POST" { response.setCookie(Flash.clear) }
            return response
        } catch {
            return failure(admin, error)
        }
    }

    /// A handler's error: after a form, back to the page it came from with the message; on a
    /// page, an error page. Domain errors say what to fix; anything else is logged.
    func failure(_ r: AdminRequest, _ error: Error) -> HTTPResponse {
        let message: String
        var status = 422
        switch error {
        case let b as BillingError:
            message = b.description
            if case .notFound = b { status = 404 }
        case let e as AdminInputError: message = e.description
        case let a as AddressError: message = a.description
        case let d as DateError: message = d.description
        default:
            context.logger.error("admin request failed", metadata: ["path": "\(r.http.path)", "error": "\(error)"])
            message = "Something went wrong; nothing was changed. The log has the details."
            status = 500
        }
        if r.http.method == "POST" { return refused(r, status: status, message: message) }
        return errorPage(status, message)
    }

    /// A refused form: the page the form is on, rendered again with the message and the status
    /// (422, 404, 500), and that form with the fields as the admin typed them (`TypedForm`);
    /// nothing was saved.
    /// That page is the form's `back` field, else the form's own path with trailing segments
    /// dropped until it names a page (`/services/7/suspend` → `/services/7`, `/billing/run` → `/`).
    /// When that page cannot be shown either (the record is gone), an error page says why.
    func refused(_ r: AdminRequest, status: Int, message: String) -> HTTPResponse {
        let target = r.backPath ?? Self.formPage(r.http.path)
        let parts = target.split(separator: "?", maxSplits: 1)
        let path = String(parts[0])
        guard let (run, params) = Self.routes.route("GET", path) else { return errorPage(status, message) }
        let get = HTTPRequest(
            method: "GET", path: path, rawQuery: parts.count > 1 ? String(parts[1]) : "", headers: r.http.headers,
            body: [], remoteAddress: r.http.remoteAddress)
        let again = AdminRequest(
            http: get, params: params, session: r.session, csrf: r.csrf,
            flash: Flash(kind: .error, text: message), form: [:], typed: TypedForm(action: r.http.path, values: r.form))
        guard var page = try? run(self, again), page.status == 200 else { return errorPage(status, message) }
        page.status = status
        return page
    }

    /// The page a form posted to `path` is on when it names none: `path` itself, or its parent,
    /// grandparent… that is a page.
    static func formPage(_ path: String) -> String {
        var segments = path.split(separator: "/")
        while !segments.isEmpty {
            let candidate = "/" + segments.joined(separator: "/")
            if routes.route("GET", candidate) != nil { return candidate }
            segments.removeLast()
        }
        return "/"
    }

    func methodNotAllowed(_ allowed: [String]) -> HTTPResponse {
        var r = errorPage(405, "This address does not accept that method.")
        r.addHeader("Allow", allowed.joined(separator: ", "))
        return r
    }

    /// A page of its own for errors, without the navigation (it may be shown signed out).
    func errorPage(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse.html(
            context.templates.render(
                "admin/error",
                [
                    "ispName": context.branding.ispName, "message": message,
                    "status": status,
                ]), status: status)
    }

    /// Renders `template` inside the layout: navigation, the signed-in user, the flash message
    /// and the CSRF token every form needs.
    func page(
        _ template: String, title: String, section: String, _ r: AdminRequest, _ values: [String: Any],
        status: Int = 200
    ) -> HTTPResponse {
        var ctx = values
        ctx["title"] = title
        ctx["ispName"] = context.branding.ispName
        ctx["username"] = r.session.username
        ctx["csrf"] = r.csrf
        ctx["today"] = context.clock.today().description
        ctx["nav"] = Self.sections.map { ["path": $0.path, "label": $0.label, "current": $0.id == section] }
        if let flash = r.flash {
            ctx["flash"] = ["text": flash.text, "error": flash.kind == .error]
        }
        return HTTPResponse.html(context.templates.render("admin/" + template, ctx), status: status)
    }

    static let sections: [(id: String, path: String, label: String)] = [
        ("dashboard", "/", "Dashboard"), ("clients", "/clients", "Clients"), ("plans", "/plans", "Plans"),
        ("documents", "/documents", "Invoices"), ("payments", "/payments", "Payments"),
        ("outbox", "/outbox", "Outbox"), ("walled-garden", "/walled-garden", "Walled garden"),
        ("audit", "/audit", "Audit log"), ("settings", "/settings", "Settings"),
    ]

    // MARK: Routes

    /// A page or a form's handler.
    typealias Page = @Sendable (AdminUI, AdminRequest) throws -> HTTPResponse

    static let routes: Router<Page> = {
        var router = Router<Page>()
        router.add("POST", "/sign-out") { ui, r in ui.signOut(r) }
        router.add("GET", "/") { ui, r in try ui.dashboard(r) }
        router.add("POST", "/billing/run") { ui, r in try ui.runBilling(r) }
        router.add("GET", "/clients") { ui, r in try ui.clients(r) }
        router.add("POST", "/clients") { ui, r in try ui.createClient(r) }
        router.add("GET", "/clients/{id}") { ui, r in try ui.client(r) }
        router.add("POST", "/services") { ui, r in try ui.createService(r) }
        router.add("GET", "/services/{id}") { ui, r in try ui.service(r) }
        router.add("POST", "/services/{id}") { ui, r in try ui.updateService(r) }
        router.add("POST", "/services/{id}/suspend") { ui, r in try ui.suspend(r) }
        router.add("POST", "/services/{id}/release") { ui, r in try ui.release(r) }
        router.add("POST", "/services/{id}/hold/review") { ui, r in try ui.reviewHold(r) }
        router.add("POST", "/services/{id}/hold") { ui, r in try ui.activateHold(r) }
        router.add("POST", "/services/{id}/hold/end/review") { ui, r in try ui.reviewHoldEnd(r) }
        router.add("POST", "/services/{id}/hold/end") { ui, r in try ui.endHold(r) }
        router.add("GET", "/plans") { ui, r in try ui.plans(r) }
        router.add("POST", "/plans") { ui, r in try ui.createPlan(r) }
        router.add("POST", "/plans/{id}/role") { ui, r in try ui.setPlanRole(r) }
        router.add("GET", "/documents") { ui, r in try ui.documents(r) }
        router.add("GET", "/documents/{id}") { ui, r in try ui.document(r) }
        router.add("GET", "/payments") { ui, r in try ui.payments(r) }
        router.add("POST", "/payments") { ui, r in try ui.recordPayment(r) }
        router.add("GET", "/settings") { ui, r in try ui.settings(r) }
        router.add("POST", "/settings") { ui, r in try ui.saveSettings(r) }
        router.add("POST", "/settings/portal-texts") { ui, r in try ui.savePortalTexts(r) }
        router.add("POST", "/settings/gateway-test") { ui, r in try ui.testGateway(r) }
        router.add("GET", "/walled-garden") { ui, r in try ui.walledGarden(r) }
        router.add("GET", "/audit") { ui, r in try ui.audit(r) }
        router.add("GET", "/outbox") { ui, r in try ui.outbox(r) }
        router.add("GET", "/outbox/{id}") { ui, r in try ui.outboxMessage(r) }
        router.add("GET", "/outbox/{id}/html") { ui, r in try ui.outboxHTML(r) }
        return router
    }()

    /// Every page a signed-in admin can open (for the tests that check each one).
    public static var pagePaths: [String] { routes.patterns.filter { $0.method == "GET" }.map(\.pattern) }
    /// Every form target.
    public static var formPaths: [String] { routes.patterns.filter { $0.method == "POST" }.map(\.pattern) }
}

/// One admin request after authentication: the session, the path's parameters, the checked form.
struct AdminRequest {
    let http: HTTPRequest
    let params: [String: String]
    let session: AdminSessionRecord
    let csrf: String
    let flash: Flash?
    var form: [String: String]
    /// The refused form this page is shown again for, as typed (see `fill`).
    var typed: TypedForm? = nil

    /// The path parameter `{id}` as a number; a 404 when it is not one.
    func id(_ kind: String) throws -> Int64 {
        guard let text = params["id"], let id = Int64(text), id > 0 else {
            throw BillingError.notFound(kind: kind, id: params["id"] ?? "")
        }
        return id
    }

    /// A form field, trimmed; "" when absent.
    func field(_ name: String) -> String {
        (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A page number from `?page=` (from 1).
    var pageNumber: Int { max(1, Int(http.query["page"] ?? "") ?? 1) }

    /// The form's `back` field when it is a path on this site.
    var backPath: String? {
        form["back"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && !$0.contains("\\") ? $0 : nil }
    }

    /// 303 to the form's `back` field (a path on this site) or `path`, with a message.
    func back(default path: String, flash: Flash) -> HTTPResponse {
        HTTPResponse.redirect(to: backPath ?? path, status: 303).settingCookie(flash.cookie)
    }
}

/// Why a form's input was refused, naming the field.
struct AdminInputError: Error, CustomStringConvertible {
    let description: String
    init(_ field: String, _ why: String) { description = "\(field): \(why)" }
}
