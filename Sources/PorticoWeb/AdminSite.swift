import PorticoHTTP

/// Everything on the admin listener: the JSON API under `/api/v1`.
public struct AdminSite: Sendable {
    let context: WebContext

    public init(context: WebContext) { self.context = context }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        JSON.error(404, "not_found", "no such endpoint: \(request.method) \(request.path)")
    }
}
