import PorticoCore
import PorticoHTTP
import PorticoPayments
import PorticoStore

/// Options of the portal listener.
public struct PortalOptions: Sendable {
    /// Proxies whose `X-Forwarded-For` is believed (their own address never identifies a client).
    public var trustedProxies: [IPPrefix]
    /// Host names besides the portal URL's that are the portal itself (e.g. its IP address).
    public var extraHosts: [String]

    public init(trustedProxies: [IPPrefix] = [], extraHosts: [String] = []) {
        self.trustedProxies = trustedProxies
        self.extraHosts = extraHosts
    }
}

/// The walled-garden portal on `portal.listen` (SPEC §10): redirects, the page, checkouts, the
/// test gateway's page, and the RFC 8908 API.
public struct Portal: Sendable {
    let context: WebContext
    let options: PortalOptions
    let csrf: CSRF
    let ownHosts: Set<String>
    let router: Router

    public init(context: WebContext, options: PortalOptions = PortalOptions()) {
        self.context = context
        self.options = options
        csrf = CSRF(key: context.csrfKey)
        ownHosts = Set([context.branding.portalHost] + options.extraHosts.map { $0.lowercased() })
        var r = Router()
        r.add("GET", "/", { req, _ in Self.page(context, req, options) })
        r.add("GET", "/api/captive", { req, _ in Self.captive(context, req, options) })
        r.add("POST", "/reactivate", { req, _ in Self.startCheckout(context, req, options, kind: .reactivation) })
        r.add("POST", "/prepay", { req, _ in Self.startCheckout(context, req, options, kind: .prepayment) })
        r.add("POST", "/pay", { req, _ in Self.startCheckout(context, req, options, kind: .overdue) })
        r.add("POST", "/postpone", { req, _ in Self.postpone(context, req, options) })
        // Stripe (Portal+Webhooks.swift): its webhook, and the return from Checkout, which is
        // matched before the plain checkout page below and shows that page when done.
        r.add("POST", "/webhooks/stripe", { req, _ in Self.stripeWebhook(context, req) })
        r.add("GET", "/checkout/{id}", { req, p in Self.stripeReturn(context, req, options, id: p["id"]!) })
        r.add("GET", "/checkout/{id}", { req, p in Self.checkoutPage(context, req, options, id: p["id"]!) })
        r.add("GET", "/test-gateway/checkout/{id}", { req, p in Self.testGatewayPage(context, req, id: p["id"]!) })
        r.add("POST", "/test-gateway/checkout/{id}", { req, p in Self.testGatewayPost(context, req, id: p["id"]!) })
        router = r
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let host = request.headers["Host"].map(URLText.hostOnly)
        let own = host == nil || ownHosts.contains(host!)
        let client = context.directory.lookup(Self.clientAddress(request, options))
        switch PortalDecision.decide(ownHost: own, client: client) {
        case .redirectToPortal:
            return .redirect(to: context.branding.portalURL + "/")
        case .serviceActive:
            return Self.activePage(context, "Your service is active. If a page sent you here, reload it.")
        case .unknownClient:
            return Self.unknownPage(context, request, options)
        case .portal:
            switch router.match(request.method, request.path) {
            case .handler(let h, let params): return h(request, params)
            case .methodNotAllowed(let allowed):
                var r = Self.message(context, 405, "This address does not accept \(request.method) requests.")
                r.addHeader("Allow", allowed.joined(separator: ", "))
                return r
            case .notFound:
                if client?.stopped == true { return .redirect(to: context.branding.portalURL + "/") }
                return Self.message(context, 404, "There is no page at this address.")
            }
        }
    }

    /// The client's address: the peer, or — behind a trusted proxy — the last address in
    /// `X-Forwarded-For` that is not itself a trusted proxy.
    static func clientAddress(_ request: HTTPRequest, _ options: PortalOptions) -> String {
        if options.trustedProxies.isEmpty { return request.remoteAddress }
        func trusted(_ a: String) -> Bool {
            guard let p = try? IPPrefix(a) else { return false }
            return options.trustedProxies.contains { $0.contains(p) }
        }
        guard trusted(request.remoteAddress), let xff = request.headers["X-Forwarded-For"] else {
            return request.remoteAddress
        }
        let hops = xff.split(separator: ",").map { String($0.filter { $0 != " " && $0 != "\t" }) }
        return hops.last { !trusted($0) && (try? IPPrefix($0)) != nil } ?? request.remoteAddress
    }

    // MARK: Pages

    static func page(_ c: WebContext, _ req: HTTPRequest, _ o: PortalOptions) -> HTTPResponse {
        let address = clientAddress(req, o)
        guard let entry = c.directory.lookup(address) else { return unknownPage(c, req, o) }
        let today = c.clock.today()
        let generation = c.store.generation
        if let html = c.pageCache.get(address, generation: generation, date: today) { return pageResponse(html) }
        do {
            let view = try PortalView.load(c.store, clientId: entry.clientId, on: today)
            let currency = Currency.named(c.store.settings.billing.currency) ?? .usd
            var ctx = view.context(currency: currency, csrf: CSRF(key: c.csrfKey).token(for: address, on: today),
                                   branding: c.branding)
            ctx["lang"] = "en"
            let html = c.templates.render("portal/page", ctx)
            c.pageCache.put(address, generation: generation, date: today, html: html)
            return pageResponse(html)
        } catch {
            return failure(c, error)
        }
    }

    static func pageResponse(_ html: String) -> HTTPResponse {
        var r = HTTPResponse.html(html)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    static func captive(_ c: WebContext, _ req: HTTPRequest, _ o: PortalOptions) -> HTTPResponse {
        let stopped = c.directory.lookup(clientAddress(req, o))?.stopped ?? false
        var fields = ["\"captive\":\(stopped)", "\"user-portal-url\":\(jsonString(c.branding.portalURL + "/"))"]
        if let venue = c.branding.venueInfoURL { fields.append("\"venue-info-url\":\(jsonString(venue))") }
        var r = HTTPResponse.json("{" + fields.joined(separator: ",") + "}", contentType: "application/captive+json")
        r.addHeader("Cache-Control", "private")
        return r
    }

    static func activePage(_ c: WebContext, _ text: String, status: Int = 200) -> HTTPResponse {
        var r = HTTPResponse.html(
            c.templates.render("portal/active", ["ispName": c.branding.ispName, "contact": c.branding.contact,
                                                 "message": text, "lang": "en"]), status: status)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    static func unknownPage(_ c: WebContext, _ req: HTTPRequest, _ o: PortalOptions) -> HTTPResponse {
        message(c, 404, "This device's address (\(clientAddress(req, o))) does not belong to any service. If you are a client, please contact us.")
    }

    static func message(_ c: WebContext, _ status: Int, _ text: String) -> HTTPResponse {
        var r = HTTPResponse.html(
            c.templates.render("portal/message", ["ispName": c.branding.ispName, "contact": c.branding.contact,
                                                  "message": text, "lang": "en", "error": status >= 400]),
            status: status)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    static func failure(_ c: WebContext, _ error: Error) -> HTTPResponse {
        switch error {
        case let b as BillingError:
            let status = if case .notFound = b { 404 } else { 422 }
            return message(c, status, b.description)
        default:
            c.logger.error("portal request failed", metadata: ["error": "\(error)"])
            return message(c, 500, "Something went wrong on our side. Nothing was charged. Please try again.")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if ch.value < 0x20 { out += "\\u00" + hexString([UInt8(ch.value)]) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}
