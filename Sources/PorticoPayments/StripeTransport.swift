import CCurl

/// One HTTP request to Stripe's API.
public struct StripeHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeoutSeconds: Int

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeoutSeconds: Int = 15
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Stripe's answer: the status and the body (JSON).
public struct StripeHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// The request never got an answer (DNS, connect, TLS, timeout); the message is libcurl's and
/// holds no request data.
public struct StripeTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// True when nothing can have reached Stripe (no connection was made), so repeating is safe
    /// even without an idempotency key.
    public var beforeConnecting: Bool

    public init(_ message: String, beforeConnecting: Bool = false) {
        self.message = message
        self.beforeConnecting = beforeConnecting
    }

    public var description: String { message }
}

/// How `StripeGateway` talks HTTP: synchronous, because handlers run on the HTTP server's
/// worker threads (a blocking call there is fine; waiting on a Swift concurrency task is not).
public protocol StripeTransport: Sendable {
    func send(_ request: StripeHTTPRequest) throws(StripeTransportError) -> StripeHTTPResponse
}

/// `StripeTransport` over libcurl's easy interface: one handle per request (no shared state
/// between threads), TLS verified, no redirects followed, no signals (CURLOPT_NOSIGNAL, needed
/// with threads), answers larger than `maxResponseBytes` refused.
public struct CurlTransport: StripeTransport {
    public var maxResponseBytes: Int

    public init(maxResponseBytes: Int = 1 << 20) {
        self.maxResponseBytes = maxResponseBytes
        _ = Self.globalInit
    }

    /// curl_global_init, once per process before any handle; Swift runs a global's initializer
    /// exactly once, whatever the number of threads.
    static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public func send(_ request: StripeHTTPRequest) throws(StripeTransportError) -> StripeHTTPResponse {
        guard let handle = curl_easy_init() else { throw StripeTransportError("libcurl could not start a request") }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            guard let appended = curl_slist_append(headerList, "\(name): \(value)") else {
                throw StripeTransportError("libcurl could not build the request headers")
            }
            headerList = appended
        }
        let sink = ResponseSink(limit: maxResponseBytes)
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }

        func check(_ code: CURLcode) throws(StripeTransportError) {
            guard code == CURLE_OK else { throw StripeTransportError(Self.message(code)) }
        }
        try check(portico_curl_setopt_string(handle, CURLOPT_URL, request.url))
        try check(portico_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "https,http"))
        try check(portico_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(portico_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        try check(portico_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutSeconds * 1000))
        try check(portico_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(request.timeoutSeconds, 5) * 1000))
        try check(portico_curl_setopt_string(handle, CURLOPT_USERAGENT, "Portico"))
        try check(portico_curl_setopt_headers(handle, headerList))
        try check(portico_curl_setopt_write_function(handle, curlWriteBody))
        try check(portico_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()))
        switch request.method {
        case "GET":
            try check(portico_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "POST":
            try check(portico_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count))
            // COPYPOSTFIELDS: libcurl keeps its own copy, so no Swift buffer must outlive the call.
            let body = request.body + [0]
            let code = body.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    portico_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, $0)
                }
            }
            try check(code)
        default:
            try check(portico_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
        }

        let result = curl_easy_perform(handle)
        if sink.overflowed { throw StripeTransportError("Stripe's answer was larger than \(maxResponseBytes) bytes") }
        guard result == CURLE_OK else {
            let early = [CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY].contains(
                result)
            throw StripeTransportError(Self.message(result), beforeConnecting: early)
        }
        var status = 0
        try check(portico_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return StripeHTTPResponse(status: status, body: sink.bytes)
    }

    static func message(_ code: CURLcode) -> String {
        "\(String(cString: curl_easy_strerror(code))) (curl \(code.rawValue))"
    }
}

/// Collects a response body. Only the thread running `curl_easy_perform` touches it, while the
/// request runs; the caller reads it after `perform` returned.
private final class ResponseSink {
    let limit: Int
    var bytes: [UInt8] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }
}

/// CURLOPT_WRITEFUNCTION: appends to the `ResponseSink` passed as CURLOPT_WRITEDATA. Returning
/// less than offered makes libcurl abort the transfer (used for an oversized answer).
private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    guard sink.bytes.count + n <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    if let data, n > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: n) {
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
        }
    }
    return n
}
