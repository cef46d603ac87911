import PorticoHTTP

/// Everything on the admin listener: the JSON API under `/api/v1`, and Prometheus metrics at
/// `/metrics` when a registry is given.
public struct AdminSite: Sendable {
    let context: WebContext
    let api: AdminAPI
    let metrics: MetricsRegistry?

    public init(context: WebContext, metrics: MetricsRegistry? = nil) {
        self.context = context
        api = AdminAPI(context: context)
        self.metrics = metrics
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/metrics", let metrics { return metrics.response(request) }
        if request.path == "/api/v1" || request.path.hasPrefix("/api/v1/") { return api.handle(request) }
        return JSON.error(404, "not_found", "no such page: \(request.method) \(request.path); the JSON API is under /api/v1")
    }
}
