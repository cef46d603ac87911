/// The one path router of the web modules: a method and a pattern like
/// `/api/v1/services/{id}/suspend` (`{name}` captures one segment) to a handler of any type, so
/// the portal and the API route to closures and the admin UI to its page functions.
///
/// Routes are tried in the order they were added; `HEAD` matches a `GET` route. Inlinable, so
/// each module's router is specialised for its handler type (the portal routes every page).
public struct Router<Handler: Sendable>: Sendable {
    @usableFromInline
    struct Route: Sendable {
        @usableFromInline var method: String
        @usableFromInline var pattern: String
        @usableFromInline var segments: [Substring]
        @usableFromInline var handler: Handler

        @usableFromInline
        init(method: String, pattern: String, handler: Handler) {
            self.method = method
            self.pattern = pattern
            segments = pattern.split(separator: "/")
            self.handler = handler
        }
    }

    @usableFromInline var routes: [Route] = []

    @inlinable
    public init() {}

    @inlinable
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        routes.append(Route(method: method, pattern: pattern, handler: handler))
    }

    public enum Match {
        case handler(Handler, [String: String])
        /// The path exists with other methods (→ 405 with `Allow`).
        case methodNotAllowed([String])
        case notFound
    }

    /// The first route for `method` and `path`, with the path's parameters.
    @inlinable
    public func match(_ method: String, _ path: String) -> Match {
        let parts = path.split(separator: "/")
        var allowed: [String] = []
        for r in routes {
            guard let params = Self.parameters(r.segments, parts) else { continue }
            if r.method == method || (method == "HEAD" && r.method == "GET") { return .handler(r.handler, params) }
            allowed.append(r.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }

    /// The handler `method` has at `path`, with the path's parameters; nil when there is none.
    @inlinable
    public func route(_ method: String, _ path: String) -> (handler: Handler, parameters: [String: String])? {
        if case .handler(let handler, let params) = match(method, path) { return (handler, params) }
        return nil
    }

    /// Every route as it was added: (method, pattern).
    @inlinable
    public var patterns: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    /// The parameters when `path` matches `pattern`, nil when it does not.
    @inlinable
    static func parameters(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(pattern, path) {
            if p.first == "{" && p.last == "}" {
                params[String(p.dropFirst().dropLast())] = String(s)
            } else if p != s {
                return nil
            }
        }
        return params
    }
}
