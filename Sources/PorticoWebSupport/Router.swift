import PorticoHTTP

/// Matches `method` and a path pattern like `/api/v1/services/{id}/suspend`; `{name}` captures
/// one segment.
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest, [String: String]) -> HTTPResponse

    struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var handler: Handler
    }

    var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), handler: handler))
    }

    public enum Match {
        case handler(Handler, [String: String])
        /// The path exists with other methods (→ 405 with `Allow`).
        case methodNotAllowed([String])
        case notFound
    }

    public func match(_ method: String, _ path: String) -> Match {
        let parts = path.split(separator: "/")
        var allowed: [String] = []
        for r in routes where r.segments.count == parts.count {
            var params: [String: String] = [:]
            var ok = true
            for (p, s) in zip(r.segments, parts) {
                if p.first == "{" && p.last == "}" {
                    params[String(p.dropFirst().dropLast())] = String(s)
                } else if p != s {
                    ok = false
                    break
                }
            }
            guard ok else { continue }
            if r.method == method || (method == "HEAD" && r.method == "GET") { return .handler(r.handler, params) }
            allowed.append(r.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}
