extension HTTPClient {
    /// How a stream ended without an error.
    public enum StreamEnd: Sendable {
        /// The server ended the body.
        case completed(Head)
        /// `onHead` or `onBody` returned false.
        case stopped(Head)
        /// `cancellation` was cancelled (from another thread); the head is there when it had come.
        case cancelled(Head?)
    }

    /// Sends `request` and hands the answer over as it arrives: `onHead` once the final
    /// response's headers are complete, then `onBody` with each piece of the body (as libcurl
    /// reads it: a piece may hold part of an event, or several). Either returns false to stop.
    /// For a long-lived server-sent-events or long-poll stream: give `request.timeouts` no
    /// `total` and an `idle` a little longer than the server's heartbeat.
    ///
    /// The call returns when the body ends, a callback stops it, or `cancellation` is
    /// cancelled (within about a second, even while nothing arrives: libcurl's progress
    /// callback checks the flag). No limit applies to the body's size.
    ///
    /// - Throws: `CurlError` for a failure before or during the transfer (lookup, connect, TLS,
    ///   a time-out, the connection dropped mid-body).
    public func stream(
        _ request: Request, cancellation: CurlCancellation? = nil,
        onHead: (Head) -> Bool = { _ in true }, onBody: ([UInt8]) -> Bool
    ) throws(CurlError) -> StreamEnd {
        // The callbacks run only inside `perform`, on this thread, so they never outlive the call.
        try withoutActuallyEscaping(onHead) { onHead throws(CurlError) in
            try withoutActuallyEscaping(onBody) { onBody throws(CurlError) in
                let context = TransferContext(cancellation: cancellation, onHead: onHead) { onBody(Array($0)) }
                do throws(CurlError) {
                    try perform(request, context)
                } catch {
                    if cancellation?.isCancelled == true {
                        return .cancelled(context.headComplete ? context.head : nil)
                    }
                    if context.stopped { return .stopped(context.head) }
                    throw error
                }
                if context.stopped { return .stopped(context.head) }
                return .completed(context.head)
            }
        }
    }
}
