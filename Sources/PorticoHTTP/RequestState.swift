/// Everything kept for one request between libmicrohttpd's calls.
///
/// Created by the URI log callback (its return value becomes `*req_cls`), used only on the
/// MHD thread that owns the connection, and released in the completion notification; so it
/// needs no locking and is never shared with Swift concurrency.
final class RequestState {
    /// The request target exactly as sent (before MHD splits and unescapes it).
    let rawTarget: [UInt8]
    /// Set on the first access-handler call (headers complete). The response is queued on a
    /// later call, never the first, so that MHD keeps the connection alive.
    var headersSeen = false
    /// True from the handler's call until completion: the request counts as in flight for
    /// `HTTPServer.stop()`.
    var counted = false
    var method = ""
    var headers: [(name: String, value: String)] = []
    var remoteAddress = ""
    var target = RequestTarget(path: "/", rawQuery: "")
    var body: [UInt8] = []
    /// An answer decided before the handler (e.g. 413 on an oversized chunked body), sent on
    /// the final call once the rest of the upload has been read and dropped.
    var rejection: HTTPResponse?
    /// Bytes dropped after a rejection; past a bound the connection is closed instead.
    var discardedBytes = 0

    init(rawTarget: [UInt8]) {
        self.rawTarget = rawTarget
    }
}
