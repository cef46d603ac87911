import CCurl

/// HTTP(S) requests over libcurl's easy interface (curl_easy_perform), one handle per request.
///
/// Calls block the calling thread until the answer, a time-out or a cancellation. Run them on a
/// worker thread of their own: never on an HTTP server's thread, which serves other clients,
/// and never where a Swift concurrency task waits for them.
///
/// Every request: TLS verified unless told otherwise, `http` and `https` only
/// (CURLOPT_PROTOCOLS_STR), no redirects followed, no signals (CURLOPT_NOSIGNAL), its own
/// connect and total time-outs. A buffered answer larger than `maxResponseBytes` is refused;
/// `stream` hands the body over as it arrives, for as long as the caller wants it. libcurl's
/// proxy variables (`https_proxy`, `no_proxy`) apply, as for the `curl` command.
public struct HTTPClient: Sendable {
    /// The largest body `send` keeps; a larger answer ends with `CurlError.responseTooLarge`.
    public var maxResponseBytes: Int
    /// CURLOPT_USERAGENT.
    public var userAgent: String

    public init(maxResponseBytes: Int = 1 << 20, userAgent: String = "Portico") {
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
    }

    /// One request.
    public struct Request: Sendable {
        /// `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`, …
        public var method: String
        public var url: String
        /// Sent as given, in order (`Content-Type` included: libcurl's default for a body is
        /// `application/x-www-form-urlencoded`).
        public var headers: [(name: String, value: String)]
        /// Sent with every method but `GET` and `HEAD` when not empty, and always with `POST`,
        /// `PUT` and `PATCH`.
        public var body: [UInt8]
        public var timeouts: CurlTimeouts
        public var tls: CurlTLS
        /// HTTP basic auth (CURLAUTH_BASIC); send it over HTTPS only.
        public var credentials: CurlCredentials?

        public init(
            method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
            timeouts: CurlTimeouts = CurlTimeouts(), tls: CurlTLS = CurlTLS(), credentials: CurlCredentials? = nil
        ) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeouts = timeouts
            self.tls = tls
            self.credentials = credentials
        }
    }

    /// The status line's code and the headers of the final response (not of a `100 Continue`).
    public struct Head: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]

        public init(status: Int, headers: [(name: String, value: String)] = []) {
            self.status = status
            self.headers = headers
        }

        /// The first header of that name, compared without case.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// A complete answer.
    public struct Response: Sendable {
        public var head: Head
        public var body: [UInt8]

        /// The status line's code.
        public var status: Int { head.status }
        /// The first header of that name, compared without case.
        public func header(_ name: String) -> String? { head.header(name) }
    }

    /// Sends `request` and returns the whole answer, whatever its status (a 4xx or 5xx is an
    /// answer, not an error).
    ///
    /// - Throws: `CurlError` when no complete answer came: name lookup, connect, TLS, a time-out,
    ///   a body over `maxResponseBytes`, or `cancellation`.
    public func send(_ request: Request, cancellation: CurlCancellation? = nil) throws(CurlError) -> Response {
        var body: [UInt8] = []
        let limit = maxResponseBytes
        var overflowed = false
        let context = TransferContext(cancellation: cancellation) { piece in
            guard body.count + piece.count <= limit else {
                overflowed = true
                return false
            }
            body.append(contentsOf: piece)
            return true
        }
        do {
            try perform(request, context)
        } catch {
            guard overflowed else { throw error }
            var failure = error
            failure.detail = "the answer was larger than \(limit) bytes"
            failure.responseTooLarge = true
            throw failure
        }
        return Response(head: context.head, body: body)
    }

    /// Sets up one handle for `request` over `context` and performs it.
    func perform(_ request: Request, _ context: TransferContext) throws(CurlError) {
        let easy = try CurlEasy()
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_USERAGENT, userAgent)
        try easy.set(request.timeouts)
        try easy.set(request.tls)
        if let credentials = request.credentials {
            try easy.set(CURLOPT_HTTPAUTH, Int(portico_curlauth_basic))
            try easy.set(credentials)
        }
        try easy.set(CURLOPT_HTTPHEADER, list: request.headers.map { "\($0.name): \($0.value)" })
        switch request.method {
        case "GET":
            try easy.set(CURLOPT_HTTPGET, 1)
        case "HEAD":
            try easy.set(CURLOPT_NOBODY, 1)
        case "POST":
            try easy.setBody(request.body)
        default:
            if !request.body.isEmpty || request.method == "PUT" || request.method == "PATCH" {
                try easy.setBody(request.body)
            }
            try easy.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        try easy.install(context, headers: true, upload: false)
        try easy.perform()
        // A response without a blank line after its head (or with no head at all) still counts.
        _ = context.completeHead()
    }
}
