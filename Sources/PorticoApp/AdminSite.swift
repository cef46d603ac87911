import PorticoAPI
import PorticoAdmin
import PorticoHTTP
import PorticoWebSupport

/// Everything on the admin listener: the JSON API under `/api/v1`, the admin web UI, and
/// Prometheus metrics at `/metrics` when a registry is given.
public struct AdminSite: Sendable {
    let api: AdminAPI
    let ui: AdminUI
    let metrics: MetricsRegistry?

    public init(context: WebContext, ui options: AdminUIOptions = AdminUIOptions(), metrics: MetricsRegistry? = nil) {
        api = AdminAPI(context: context.admin)
        ui = AdminUI(context: context.admin, options: options)
        self.metrics = metrics
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/metrics", let metrics { return metrics.response(request) }
        if request.path == "/api/v1" || request.path.hasPrefix("/api/v1/") { return api.handle(request) }
        return ui.handle(request)
    }
}
