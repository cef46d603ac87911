import CMicroHTTPD
import Dispatch
import Synchronization

/// A request whose answer is computed on the worker pool while its connection is suspended.
///
/// The MHD thread suspends the connection (MHD_suspend_connection, allowed only from the access
/// handler) and only then opens `suspendedGate`, so the worker can never resume a connection that
/// is not suspended yet. Exactly one party resumes it: the worker with its answer, or `stop()`
/// with a `503` when the worker is too late; `resumed` decides which.
final class SuspendedRequest: Sendable {
    /// Only ever passed to MHD_resume_connection, once, while MHD keeps the connection alive
    /// (a suspended connection is not closed until it is resumed).
    nonisolated(unsafe) let connection: OpaquePointer
    private let resumed = Atomic<Bool>(false)
    private let answer = Mutex<HTTPResponse?>(nil)
    let suspendedGate = DispatchSemaphore(value: 0)

    init(_ connection: OpaquePointer) { self.connection = connection }

    var isResumed: Bool { resumed.load(ordering: .acquiring) }

    /// Stores `response` and resumes the connection, unless that was done already.
    @discardableResult
    func resume(with response: HTTPResponse) -> Bool {
        guard !resumed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        answer.withLock { $0 = response }
        MHD_resume_connection(connection)
        return true
    }

    /// The answer, once resumed (read by the MHD thread on its next call for the request).
    func takeAnswer() -> HTTPResponse? { answer.withLock { $0 } }
}

extension HTTPServer {
    /// Hands `deferral` to the worker pool and suspends the connection; or, when the pool or the
    /// key is at its bound, answers at once.
    func suspend(_ deferral: Deferral, _ state: RequestState, connection: OpaquePointer) -> Step {
        let job = SuspendedRequest(connection)
        let admission = workers.submit(key: deferral.key, limit: deferral.limit) { [self] in
            job.suspendedGate.wait()
            defer { _ = suspended.withLock { $0.removeValue(forKey: ObjectIdentifier(job)) } }
            // The server stopped (and answered) before this job's turn came.
            guard !job.isResumed else { return }
            job.resume(with: deferral.finish(deferral.work()))
        }
        switch admission {
        case .accepted:
            state.suspended = job
            MHD_suspend_connection(connection)
            suspended.withLock { $0[ObjectIdentifier(job)] = job }
            job.suspendedGate.signal()
            return .proceed
        case .keyBusy:
            return .respond(deferral.finish(deferral.whenBusy))
        case .full:
            logger.warning("worker pool full; answering 503", metadata: ["waiting": "\(workers.waiting)"])
            return .respond(deferral.finish(.workersBusy))
        }
    }

    /// Before MHD_stop_daemon (which must not find a suspended connection): every request still
    /// waiting for its worker is answered `503` and resumed. Its worker, when it ends, sees that
    /// and drops its answer.
    func resumeSuspended() {
        let waiting = suspended.withLock { all in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for job in waiting { job.resume(with: .workersBusy) }
        if !waiting.isEmpty {
            logger.info(
                "stopping: answered requests still waiting for a worker", metadata: ["requests": "\(waiting.count)"])
        }
    }
}
