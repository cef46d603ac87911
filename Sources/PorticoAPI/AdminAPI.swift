import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

/// The admin JSON API under `/api/v1` (SPEC §12): bearer-token authentication on everything
/// but the OpenAPI document, strict JSON bodies, errors as `{"error": {"code", "message"}}`.
///
/// Mounted on the admin listener by the app; handlers are plain functions of a request, so tests
/// call `handle` directly.
public struct AdminAPI: Sendable {
    /// The prefix every path of the API starts with.
    public static let prefix = "/api/v1"
    static let openAPIPath = prefix + "/openapi.json"

    typealias Handler = @Sendable (HTTPRequest, [String: String]) -> HTTPResponse

    let context: AdminContext
    let router: Router<Handler>

    public init(context: AdminContext) {
        self.context = context
        let handlers = APIHandlers(context: context)
        var router = Router<Handler>()
        for route in Self.routes {
            let run = route.run
            router.add(route.method, Self.prefix + route.path) { request, params in
                handlers.respond(request) { try run(handlers, request, params) }
            }
        }
        self.router = router
    }

    /// Serves one request whose path starts with `/api/v1`.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let isDocument = request.path == Self.openAPIPath && (request.method == "GET" || request.method == "HEAD")
        if !isDocument {
            switch authenticate(request) {
            case .success(let name):
                if request.method != "GET" && request.method != "HEAD" {
                    context.logger.info(
                        "api request",
                        metadata: [
                            "method": "\(request.method)", "path": "\(request.path)",
                            "token": "\(name)",
                        ])
                }
            case .failure(let refusal):
                return refusal.response
            }
        }
        switch router.match(request.method, request.path) {
        case .handler(let handler, let params):
            return handler(request, params)
        case .methodNotAllowed(let methods):
            var allowed = methods
            if allowed.contains("GET") { allowed.append("HEAD") }
            var response = JSON.error(
                405, "method_not_allowed",
                "\(request.method) is not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))")
            response.addHeader("Allow", allowed.joined(separator: ", "))
            return response
        case .notFound:
            return JSON.error(404, "not_found", "no endpoint \(request.path)")
        }
    }

    /// Every endpoint the API serves, as `(method, path below /api/v1)`: what the OpenAPI
    /// document must describe.
    public static var endpoints: [(method: String, path: String)] { routes.map { ($0.method, $0.path) } }

    // MARK: Routes

    struct Route: Sendable {
        var method: String
        var path: String
        var run: @Sendable (APIHandlers, HTTPRequest, [String: String]) throws -> HTTPResponse
    }

    static let routes: [Route] = [
        Route(method: "GET", path: "/settings") { h, r, p in try h.getSettings(r, p) },
        Route(method: "PATCH", path: "/settings") { h, r, p in try h.patchSettings(r, p) },
        Route(method: "GET", path: "/plans") { h, r, p in try h.listPlans(r, p) },
        Route(method: "POST", path: "/plans") { h, r, p in try h.createPlan(r, p) },
        Route(method: "GET", path: "/plans/{id}") { h, r, p in try h.getPlan(r, p) },
        Route(method: "GET", path: "/clients") { h, r, p in try h.listClients(r, p) },
        Route(method: "POST", path: "/clients") { h, r, p in try h.createClient(r, p) },
        Route(method: "GET", path: "/clients/{id}") { h, r, p in try h.getClient(r, p) },
        Route(method: "GET", path: "/clients/{id}/documents") { h, r, p in try h.clientDocuments(r, p) },
        Route(method: "GET", path: "/clients/{id}/services") { h, r, p in try h.clientServices(r, p) },
        Route(method: "POST", path: "/services") { h, r, p in try h.createService(r, p) },
        Route(method: "GET", path: "/services/{id}") { h, r, p in try h.getService(r, p) },
        Route(method: "PATCH", path: "/services/{id}") { h, r, p in try h.patchService(r, p) },
        Route(method: "POST", path: "/services/{id}/vacation-hold/preview") { h, r, p in try h.previewHold(r, p) },
        Route(method: "POST", path: "/services/{id}/vacation-hold") { h, r, p in try h.activateHold(r, p) },
        Route(method: "POST", path: "/services/{id}/vacation-hold/end") { h, r, p in try h.endHold(r, p) },
        Route(method: "POST", path: "/services/{id}/suspend") { h, r, p in try h.suspend(r, p) },
        Route(method: "POST", path: "/services/{id}/release") { h, r, p in try h.release(r, p) },
        Route(method: "POST", path: "/payments") { h, r, p in try h.createPayment(r, p) },
        Route(method: "POST", path: "/billing/run") { h, r, p in try h.runBilling(r, p) },
        Route(method: "GET", path: "/walled-garden") { h, r, p in try h.walledGarden(r, p) },
        Route(method: "GET", path: "/openapi.json") { _, _, _ in
            HTTPResponse.json(OpenAPIDocument.bytes, contentType: "application/json")
        },
    ]
}
