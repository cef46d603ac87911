/// One HTTP request as the handler sees it: already size-checked and with a valid path.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. "GET", "POST".
    public var method: String
    /// The percent-decoded path without the query, e.g. "/a b" for `/a%20b?x=1`.
    public var path: String
    /// The query string after `?`, not decoded; "" when there is none.
    public var rawQuery: String
    /// Query fields, percent-decoded with `+` as space; when a name repeats the first value
    /// wins (see `queryValues(_:)` for all of them). Malformed escapes are kept as sent.
    public var query: [String: String]
    /// Request headers, case-insensitive by name.
    public var headers: HTTPHeaders
    /// The request body (at most `maxBodyBytes`).
    public var body: [UInt8]
    /// The peer's IP address as text, e.g. "127.0.0.23" or "::1". An IPv4 client of a
    /// dual-stack listener (`::ffff:a.b.c.d`) is reported as "a.b.c.d".
    public var remoteAddress: String
    /// Cookies from the `Cookie` header(s); the first value of a name wins. Values as sent.
    public var cookies: [String: String]
    /// Query fields in order, repeats kept.
    public var queryItems: [(name: String, value: String)]

    /// A request value; the server builds these, tests and handlers may too.
    public init(
        method: String,
        path: String,
        rawQuery: String = "",
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.queryItems = (try? FormDecoder.pairs(Array(rawQuery.utf8), mode: .lenient)) ?? []
        var query: [String: String] = [:]
        for item in queryItems where query[item.name] == nil {
            query[item.name] = item.value
        }
        self.query = query
        self.cookies = CookieParser.parse(headers.values(for: "Cookie"))
    }

    /// Every value of the query field `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// The body read as an application/x-www-form-urlencoded form; the first value of a
    /// repeated name wins. Keeps `a=` and `b` (both ""), decodes `+` and `%XX`.
    ///
    /// - Throws: `FormDecodingError` for another declared content type, a malformed escape or
    ///   invalid UTF-8.
    public func formValues() throws(FormDecodingError) -> [String: String] {
        var values: [String: String] = [:]
        for field in try formFields() where values[field.name] == nil {
            values[field.name] = field.value
        }
        return values
    }

    /// The form fields in order, repeats kept (e.g. several checkboxes of one name).
    public func formFields() throws(FormDecodingError) -> [(name: String, value: String)] {
        if let contentType = headers["Content-Type"] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
            let trimmed = mediaType.filter { $0 != " " && $0 != "\t" }
            guard HTTPHeaders.equalIgnoringASCIICase(String(trimmed), "application/x-www-form-urlencoded") else {
                throw .unsupportedContentType(contentType)
            }
        }
        return try FormDecoder.pairs(body, mode: .strict)
    }
}
