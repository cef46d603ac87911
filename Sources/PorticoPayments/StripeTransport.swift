import PorticoCurl

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

/// `StripeTransport` over PorticoCurl's `HTTPClient`: one libcurl handle per request (no shared
/// state between threads), TLS verified, no redirects followed, answers larger than
/// `maxResponseBytes` refused.
public struct CurlTransport: StripeTransport {
    public var maxResponseBytes: Int

    public init(maxResponseBytes: Int = 1 << 20) {
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: StripeHTTPRequest) throws(StripeTransportError) -> StripeHTTPResponse {
        let client = HTTPClient(maxResponseBytes: maxResponseBytes)
        let total = Duration.seconds(request.timeoutSeconds)
        do {
            let response = try client.send(
                HTTPClient.Request(
                    method: request.method, url: request.url, headers: request.headers, body: request.body,
                    timeouts: .total(total, connectAtMost: .seconds(5))))
            return StripeHTTPResponse(status: response.status, body: response.body)
        } catch {
            if error.responseTooLarge {
                throw StripeTransportError("Stripe's answer was larger than \(maxResponseBytes) bytes")
            }
            throw StripeTransportError(error.description, beforeConnecting: error.nothingSent)
        }
    }
}
