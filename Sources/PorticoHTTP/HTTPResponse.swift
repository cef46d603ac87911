/// The response a handler returns. `Content-Length` (and `Date`) are added by libmicrohttpd;
/// a `Content-Length` set here is ignored.
public struct HTTPResponse: Sendable {
    /// Status code, 100...599; anything else is sent as `500`.
    public var status: Int { didSet { preparedHandle = nil } }
    /// Header fields in the order they are sent; repeats are allowed (e.g. `Set-Cookie`).
    /// A name or value with CR, LF or NUL makes the server send `500` instead.
    public var headers: [(name: String, value: String)] { didSet { preparedHandle = nil } }
    /// The body bytes (omitted on the wire for `HEAD`).
    public var body: [UInt8] { didSet { preparedHandle = nil } }
    /// The same answer already built as a libmicrohttpd response, sent without copying
    /// anything; dropped as soon as any part above changes.
    var preparedHandle: PreparedResponse?
    /// Set by `later(…)`: the answer is computed on the server's worker pool.
    var deferral: Deferral?
    /// The route this answer counts under in the request metrics, when the handler knows it
    /// better (or more cheaply) than the path does; nil lets the metrics derive it.
    public var metricsRoute: String?

    /// A response with the given parts.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An HTML page, `text/html; charset=utf-8`.
    public static func html(_ html: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    /// Plain text, `text/plain; charset=utf-8`.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// JSON (or a JSON-based type such as `application/captive+json`) from encoded bytes.
    public static func json(
        _ bytes: [UInt8], status: Int = 200, contentType: String = "application/json"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: bytes)
    }

    /// JSON (or a JSON-based type) from an already encoded string.
    public static func json(
        _ json: String, status: Int = 200, contentType: String = "application/json"
    ) -> HTTPResponse {
        .json(Array(json.utf8), status: status, contentType: contentType)
    }

    /// A redirect to `location` with `Cache-Control: no-store`, so captive-portal probes and
    /// browsers do not cache it.
    public static func redirect(to location: String, status: Int = 302) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// This answer, built once as a libmicrohttpd response and sent as is every time it is
    /// returned (for answers that do not change per request, such as the portal's redirect).
    ///
    /// - Throws: `PreparedResponse.Invalid` when the status or a header could not be sent.
    public static func prepared(_ response: HTTPResponse) throws(PreparedResponse.Invalid) -> HTTPResponse {
        var copy = response
        copy.preparedHandle = try PreparedResponse(response)
        return copy
    }

    /// True when this answer will be sent from a prepared libmicrohttpd response.
    public var isPrepared: Bool { preparedHandle != nil }

    /// Appends a header field (repeats allowed).
    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name, value))
    }

    /// Appends a `Set-Cookie` field.
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.append(("Set-Cookie", cookie.headerValue))
    }

    /// A copy with a `Set-Cookie` field appended.
    public func settingCookie(_ cookie: SetCookie) -> HTTPResponse {
        var copy = self
        copy.setCookie(cookie)
        return copy
    }

    /// The first value of header `name` (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.first { HTTPHeaders.equalIgnoringASCIICase($0.name, name) }?.value
    }
}
