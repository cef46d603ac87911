import PorticoHTTP

/// Everything on the admin listener: the JSON API under `/api/v1`.
public struct AdminSite: Sendable {
    let context: WebContext
    let api: AdminAPI

    public init(context: WebContext) {
        self.context = context
        api = AdminAPI(context: context)
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/api/v1" || request.path.hasPrefix("/api/v1/") { return api.handle(request) }
        return JSON.error(404, "not_found", "no such page: \(request.method) \(request.path); the JSON API is under /api/v1")
    }
}
