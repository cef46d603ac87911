import CCurl

/// Why a libcurl transfer did not complete: libcurl's code and message, what was being done, and
/// the server's last reply code when one came.
///
/// Every libcurl call that returns a `CURLcode` goes through `CurlError.check` (the module's one
/// checking funnel), so a failure anywhere reads the same way: `"Failed to connect to 127.0.0.1
/// port 1 after 0 ms: Couldn't connect to server (Couldn't connect to server, curl 7)"`. The
/// message holds libcurl's words and the URL's host at most, never a header, body or password.
public struct CurlError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl's `CURLcode` (libcurl-errors(3)).
    public var code: Int
    /// The C call that failed: `curl_easy_perform`, `curl_easy_setopt(CURLOPT_URL)`, …
    public var operation: String
    /// libcurl's own sentence for this failure (CURLOPT_ERRORBUFFER), or this module's; may be empty.
    public var detail: String
    /// The server's last reply code (an HTTP status, an SMTP reply such as `550`); 0 when none came.
    public var responseCode: Int
    /// The answer was larger than the caller allowed (`HTTPClient.maxResponseBytes`).
    public var responseTooLarge: Bool

    public init(
        code: Int, operation: String, detail: String = "", responseCode: Int = 0, responseTooLarge: Bool = false
    ) {
        self.code = code
        self.operation = operation
        self.detail = detail
        self.responseCode = responseCode
        self.responseTooLarge = responseTooLarge
    }

    /// The one funnel: a `CURLcode` other than `CURLE_OK` becomes a `CurlError` naming `operation`.
    static func check(_ code: CURLcode, _ operation: @autoclosure () -> String) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(code: Int(code.rawValue), operation: operation())
    }

    /// A C call that returned NULL where libcurl documents only an out-of-memory failure
    /// (`curl_easy_init`, `curl_slist_append`).
    static func outOfMemory(_ operation: String) -> CurlError {
        CurlError(code: Int(CURLE_OUT_OF_MEMORY.rawValue), operation: operation)
    }

    /// `curl_easy_strerror`'s text for `code`.
    public var summary: String {
        String(cString: curl_easy_strerror(CURLcode(UInt32(code))))
    }

    /// `detail (summary, curl N)`, or `summary (curl N)` without a detail.
    public var description: String {
        if detail.isEmpty { return "\(summary) (curl \(code))" }
        return "\(detail) (\(summary), curl \(code))"
    }

    private func `is`(_ codes: CURLcode...) -> Bool { codes.contains { Int($0.rawValue) == code } }

    /// No connection was made (name lookup or connect failed), so nothing can have reached the
    /// server: repeating the request is safe even when it is not idempotent.
    public var nothingSent: Bool {
        self.is(CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY)
    }

    /// A time-out (connect, total, or the idle limit) ended the transfer.
    public var timedOut: Bool { self.is(CURLE_OPERATION_TIMEDOUT) }

    /// The caller's `CurlCancellation` (or a stream callback's `.stop`) ended the transfer.
    public var cancelled: Bool { self.is(CURLE_ABORTED_BY_CALLBACK) }

    /// The server refused the credentials (SMTP AUTH; an HTTP 401 is an answer, not an error).
    public var loginDenied: Bool { self.is(CURLE_LOGIN_DENIED) }

    /// TLS failed: handshake, certificate verification, or a pinned key that did not match.
    public var tlsFailure: Bool {
        self.is(
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_USE_SSL_FAILED)
    }

    /// The pinned public key (`CurlTLS.pinnedPublicKey`) did not match the server's.
    public var pinMismatch: Bool { self.is(CURLE_SSL_PINNEDPUBKEYNOTMATCH) }
}
