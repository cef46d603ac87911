import Synchronization

/// Everything kept for one request between libmicrohttpd's calls.
///
/// Created by the URI log callback (its return value becomes `*req_cls`), used only on the
/// MHD thread that owns the connection, and released in the completion notification; so it
/// needs no locking and is never shared with Swift concurrency. Finished states go back to
/// their thread's `Pool` and are reused, arrays and all: `@unchecked Sendable` only for that
/// hand-over, which goes through the pool's lock while nobody else holds the state.
final class RequestState: @unchecked Sendable {
    /// The request target exactly as sent (before MHD splits and unescapes it).
    var rawTarget: [UInt8] = []
    /// Where libmicrohttpd's copy of the target starts in its read buffer (an address only,
    /// never read): with the version's address it tells whether a NUL cut the target short.
    var targetAddress: UInt = 0
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
    /// The fast path's answer (`HTTPServer.fastPath`), sent on the final call.
    var fast: HTTPResponse?
    /// Set while the answer is computed on the worker pool (`HTTPResponse.later`).
    var suspended: SuspendedRequest?
    /// Bytes dropped after a rejection; past a bound the connection is closed instead.
    var discardedBytes = 0

    init() {}

    /// Back to a fresh state, keeping the arrays' storage unless the body was large.
    func reset() {
        rawTarget.removeAll(keepingCapacity: true)
        targetAddress = 0
        headersSeen = false
        counted = false
        method = ""
        headers.removeAll(keepingCapacity: true)
        remoteAddress = ""
        target = RequestTarget(path: "/", rawQuery: "")
        body.removeAll(keepingCapacity: body.capacity <= Pool.largestKeptBody)
        rejection = nil
        fast = nil
        suspended = nil
        discardedBytes = 0
    }

    /// One thread's finished states. Locked, because at shutdown MHD may report a connection
    /// finished from another thread; on the request path the lock is only ever this thread's.
    final class Pool: Sendable {
        /// States kept for reuse per thread: more than the requests one thread has in flight.
        static let capacity = 256
        static let largestKeptBody = 16 * 1024
        private let free = Mutex<[RequestState]>([])

        /// A reset state, reused when one is free.
        func take() -> RequestState {
            free.withLock { $0.popLast() } ?? RequestState()
        }

        /// Keeps `state` for reuse (up to `capacity`); the caller has no reference left to it.
        func give(_ state: RequestState) {
            state.reset()
            free.withLock { if $0.count < Self.capacity { $0.append(state) } }
        }
    }
}
