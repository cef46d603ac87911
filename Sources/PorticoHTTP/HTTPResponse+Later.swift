/// Answers that are finished later, off libmicrohttpd's threads (issue 12 item 9).
///
/// A handler that must call a remote service returns `HTTPResponse.later(…)` at once; the server
/// suspends the connection (MHD_suspend_connection), runs the work on its `WorkerPool`, and sends
/// what the work returns after MHD_resume_connection. The thread that called the handler goes
/// straight back to serving other clients.
public final class Deferral: Sendable {
    /// Whose work this is (e.g. the client's address); nil for no per-key limit.
    public let key: String?
    /// How many jobs of `key` may wait or run at once.
    public let limit: Int
    /// The answer when `key` is at its limit.
    public let whenBusy: HTTPResponse
    /// The work; it runs on a pool thread and may block (within its own time-outs).
    public let work: @Sendable () -> HTTPResponse
    /// Applied to whatever is finally sent for the request (the work's answer, `whenBusy`, or
    /// the server's `503`): metrics, logging.
    let finish: @Sendable (HTTPResponse) -> HTTPResponse

    init(
        key: String?, limit: Int, whenBusy: HTTPResponse, work: @escaping @Sendable () -> HTTPResponse,
        finish: @escaping @Sendable (HTTPResponse) -> HTTPResponse = { $0 }
    ) {
        self.key = key
        self.limit = limit
        self.whenBusy = whenBusy
        self.work = work
        self.finish = finish
    }
}

extension HTTPResponse {
    /// The default answer when a key is at its limit.
    public static let tooManyAtOnce: HTTPResponse = {
        var r = HTTPResponse.text("Too many requests at once: wait for the first ones to finish.\n", status: 429)
        r.addHeader("Retry-After", "5")
        return r
    }()

    /// The answer when the worker pool's queue is full, or the server stops before the work ran.
    static let workersBusy: HTTPResponse = {
        var r = HTTPResponse.text("The server is busy; try again in a moment.\n", status: 503)
        r.addHeader("Retry-After", "5")
        return r
    }()

    /// An answer computed by `work` on the server's worker pool. At most `limit` jobs of `key`
    /// wait or run at once; beyond that the client gets `whenBusy` at once.
    public static func later(
        key: String? = nil, limit: Int = .max, whenBusy: HTTPResponse = .tooManyAtOnce,
        _ work: @escaping @Sendable () -> HTTPResponse
    ) -> HTTPResponse {
        var response = HTTPResponse(status: 202)
        response.deferral = Deferral(key: key, limit: limit, whenBusy: whenBusy, work: work)
        return response
    }

    /// True for an answer made by `later`: its status and body are not known yet.
    public var isDeferred: Bool { deferral != nil }

    /// `transform` applied to the answer that is finally sent: to this one now, or, for a
    /// deferred answer, to whatever its work returns (or the refusal sent instead).
    public func whenAnswered(_ transform: @escaping @Sendable (HTTPResponse) -> HTTPResponse) -> HTTPResponse {
        guard let deferral else { return transform(self) }
        let earlier = deferral.finish
        var copy = self
        copy.deferral = Deferral(
            key: deferral.key, limit: deferral.limit, whenBusy: deferral.whenBusy, work: deferral.work,
            finish: { transform(earlier($0)) })
        return copy
    }
}
