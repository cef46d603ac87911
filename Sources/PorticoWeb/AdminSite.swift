import PorticoHTTP

/// Everything on the admin listener: the JSON API under `/api/v1`, and the admin web UI.
public struct AdminSite: Sendable {
    let context: WebContext
    let api: AdminAPI
    let ui: AdminUI

    public init(context: WebContext, ui options: AdminUIOptions = AdminUIOptions()) {
        self.context = context
        api = AdminAPI(context: context)
        ui = AdminUI(context: context, options: options)
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/api/v1" || request.path.hasPrefix("/api/v1/") { return api.handle(request) }
        return ui.handle(request)
    }
}
