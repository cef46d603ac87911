import PorticoCore
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport

/// Options of the portal listener.
public struct PortalOptions: Sendable {
    /// Proxies whose `X-Forwarded-For` is believed (their own address never identifies a client).
    public var trustedProxies: [IPPrefix]
    /// Host names besides the portal URL's that are the portal itself (e.g. its IP address).
    public var extraHosts: [String]

    /// Checkouts (and Stripe read-backs) one client address may have under way at once; more
    /// get `429` with a message while the first ones wait for the gateway.
    public var checkoutsPerClient: Int

    public init(trustedProxies: [IPPrefix] = [], extraHosts: [String] = [], checkoutsPerClient: Int = 2) {
        self.trustedProxies = trustedProxies
        self.extraHosts = extraHosts
        self.checkoutsPerClient = checkoutsPerClient
    }
}

/// The walled-garden portal on `portal.listen` (SPEC §10): redirects, the page, checkouts, the
/// test gateway's page, and the RFC 8908 API.
public struct Portal: Sendable {
    typealias Handler = @Sendable (HTTPRequest, [String: String]) -> HTTPResponse

    let context: PortalContext
    let options: PortalOptions
    /// The names that are the portal itself; any other Host is a foreign host.
    public let ownHosts: OwnHosts
    let router: Router<Handler>
    /// The strings of the client's language (`Accept-Language`), with the admins' edits.
    let texts: PortalTexts
    /// The answer to every request of a stopped client for another host: built once per
    /// thread, so that returning it touches no reference count another core also touches.
    let redirects: PerThread<ResponseBox>

    public init(context: PortalContext, options: PortalOptions = PortalOptions()) {
        self.context = context
        self.options = options
        ownHosts = OwnHosts([context.branding.portalHost] + options.extraHosts)
        let portalURL = context.branding.portalURL
        redirects = PerThread {
            var redirect = HTTPResponse.redirect(to: portalURL + "/")
            redirect.metricsRoute = "foreign"
            return ResponseBox((try? HTTPResponse.prepared(redirect)) ?? redirect)
        }
        let texts = PortalTexts(catalogs: context.catalogs, store: context.store)
        self.texts = texts
        var r = Router<Handler>()
        r.add("GET", "/", { req, _ in Self.page(context, req, options, texts) })
        r.add("GET", "/api/captive", { req, _ in Self.captive(context, req, options) })
        r.add(
            "POST", "/reactivate",
            { req, _ in
                Self.startCheckout(context, req, options, texts.localizer(req), kind: .reactivation)
            })
        r.add(
            "POST", "/prepay",
            { req, _ in
                Self.startCheckout(context, req, options, texts.localizer(req), kind: .prepayment)
            })
        r.add(
            "POST", "/pay",
            { req, _ in Self.startCheckout(context, req, options, texts.localizer(req), kind: .overdue) })
        r.add("POST", "/postpone", { req, _ in Self.postpone(context, req, options, texts.localizer(req)) })
        // Stripe (Portal+Webhooks.swift): its webhook, and the return from Checkout, which is
        // matched before the plain checkout page below and shows that page when done.
        r.add("POST", "/webhooks/stripe", { req, _ in Self.stripeWebhook(context, req) })
        r.add(
            "GET", "/checkout/{id}",
            { req, p in
                Self.stripeReturn(context, req, options, texts.localizer(req), id: p["id"]!)
            })
        r.add(
            "GET", "/checkout/{id}",
            { req, p in
                Self.checkoutPage(context, req, options, texts.localizer(req), id: p["id"]!)
            })
        r.add(
            "GET", "/test-gateway/checkout/{id}",
            { req, p in
                Self.testGatewayPage(context, req, texts.localizer(req), id: p["id"]!)
            })
        r.add(
            "POST", "/test-gateway/checkout/{id}",
            { req, p in
                Self.testGatewayPost(context, req, texts.localizer(req), id: p["id"]!)
            })
        router = r
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let own = ownHosts.contains(hostHeader: request.headers["Host"])
        // The portal's own pages look the client up themselves; a foreign host needs only the
        // address's standing.
        let standing = own ? .unknown : context.directory.standing(Self.clientAddress(request, options))
        switch PortalDecision.decide(ownHost: own, standing: standing) {
        case .redirectToPortal:
            return redirects.current.response
        case .serviceActive:
            let l = texts.localizer(request)
            return Self.activePage(context, l, l.t("message.activeStale"))
        case .unknownClient:
            return Self.unknownPage(context, request, options, texts.localizer(request))
        case .portal:
            switch router.match(request.method, request.path) {
            case .handler(let h, let params): return h(request, params)
            case .methodNotAllowed(let allowed):
                let l = texts.localizer(request)
                var r = Self.message(context, l, 405, l.t("message.methodNotAllowed", ["method": request.method]))
                r.addHeader("Allow", allowed.joined(separator: ", "))
                return r
            case .notFound:
                if context.directory.standing(Self.clientAddress(request, options)) == .stopped {
                    return redirects.current.response
                }
                let l = texts.localizer(request)
                return Self.message(context, l, 404, l.t("message.notFound"))
            }
        }
    }

    /// `handle`'s answer to a stopped client's request for another host, decided from the raw
    /// Host header and the peer's IPv4 address (`HTTPServer`'s fast path); nil for everything
    /// else, which `handle` then answers. Behind trusted proxies the client is in a header, so
    /// it always declines.
    public func fastRedirect(_ glance: borrowing RequestGlance) -> HTTPResponse? {
        guard options.trustedProxies.isEmpty, let raw = glance.host, let ipv4 = glance.peerIPv4,
            ownHosts.isForeign(rawHost: raw)
        else { return nil }
        guard context.directory.standing(ipv4: ipv4) == .stopped else { return nil }
        return redirects.current.response
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

    static func page(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ texts: PortalTexts) -> HTTPResponse {
        let address = clientAddress(req, o)
        let l = texts.localizer(req)
        guard let entry = c.directory.lookup(address) else { return unknownPage(c, req, o, l) }
        let today = c.clock.today()
        let generation = c.store.generation
        // One entry per address and language: the page's words depend on both.
        let key = address + "|" + l.language
        if let html = c.pageCache.get(key, generation: generation, date: today) { return pageResponse(html) }
        do {
            let view = try PortalView.load(c.store, clientId: entry.clientId, on: today)
            let currency = Currency.named(c.store.settings.billing.currency) ?? .usd
            let ctx = view.context(
                currency: currency, csrf: c.csrf.token(for: address, on: today),
                branding: c.branding, l)
            let html = c.templates.render("portal/page", ctx)
            c.pageCache.put(key, generation: generation, date: today, html: html)
            return pageResponse(html)
        } catch {
            return failure(c, l, error)
        }
    }

    static func pageResponse(_ html: String) -> HTTPResponse {
        var r = HTTPResponse.html(html)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    static func captive(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions) -> HTTPResponse {
        let stopped = c.directory.lookup(clientAddress(req, o))?.stopped ?? false
        struct Captive: Encodable {
            var captive: Bool
            var userPortalURL: String
            var venueInfoURL: String?
            enum CodingKeys: String, CodingKey {
                case captive
                case userPortalURL = "user-portal-url"
                case venueInfoURL = "venue-info-url"
            }
        }
        let body = Captive(
            captive: stopped, userPortalURL: c.branding.preferredURL + "/", venueInfoURL: c.branding.venueInfoURL)
        var r = JSON.response(body, contentType: "application/captive+json")
        r.addHeader("Cache-Control", "private")
        return r
    }

    static func activePage(_ c: PortalContext, _ l: Localizer, _ text: String, status: Int = 200) -> HTTPResponse {
        var ctx = common(c, l)
        ctx["message"] = text
        var r = HTTPResponse.html(c.templates.render("portal/active", ctx), status: status)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    static func unknownPage(_ c: PortalContext, _ req: HTTPRequest, _ o: PortalOptions, _ l: Localizer) -> HTTPResponse
    {
        message(c, l, 404, l.t("message.unknownDevice", ["address": clientAddress(req, o)]))
    }

    static func message(_ c: PortalContext, _ l: Localizer, _ status: Int, _ text: String) -> HTTPResponse {
        var ctx = common(c, l)
        ctx["message"] = text
        ctx["error"] = status >= 400
        var r = HTTPResponse.html(c.templates.render("portal/message", ctx), status: status)
        r.addHeader("Cache-Control", "no-store")
        return r
    }

    /// What every portal template shows: the ISP, its contact details (as edited by the admins
    /// for this language, else configured), the language and its strings (`{{t.key}}`).
    static func common(_ c: PortalContext, _ l: Localizer) -> [String: Any] {
        let edited = l.t("contact")
        return [
            "ispName": c.branding.ispName,
            "contact": edited.isEmpty || edited == "contact" ? c.branding.contact : edited,
            "lang": l.language, "t": l.forTemplates,
        ]
    }

    static func failure(_ c: PortalContext, _ l: Localizer, _ error: Error) -> HTTPResponse {
        switch error {
        case let b as BillingError:
            let status = if case .notFound = b { 404 } else { 422 }
            return message(c, l, status, b.description)
        default:
            c.logger.error("portal request failed", metadata: ["error": "\(error)"])
            return message(c, l, 500, l.t("message.internal"))
        }
    }
}

/// A response kept in a class, for `PerThread`.
final class ResponseBox: Sendable {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
