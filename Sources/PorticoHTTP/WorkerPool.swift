import Dispatch
import Synchronization

/// Threads of their own for the work a handler hands over (`HTTPResponse.later`): calls to a
/// payment gateway or any remote service, which may take seconds and must never occupy one of
/// libmicrohttpd's threads (they serve every other client) nor Swift concurrency's pool.
///
/// Bounded twice: at most `queueLimit` jobs wait for a thread (more get `503`), and each job
/// names a key (a client's address) with a limit on that key's jobs waiting or running (more
/// get the caller's answer, `429` by default). Threads start on demand, up to `threads`, and
/// stay for the pool's life. One pool may serve several listeners (the portal's HTTP and
/// HTTPS), so a client's limit holds across them.
public final class WorkerPool: Sendable {
    /// Whether a job was taken.
    enum Admission: Equatable {
        case accepted
        /// The key already has `limit` jobs waiting or running.
        case keyBusy
        /// `queueLimit` jobs are already waiting.
        case full
    }

    private struct State {
        var queue: [(key: String?, job: @Sendable () -> Void)] = []
        var head = 0
        var threads = 0
        var idle = 0
        var perKey: [String: Int] = [:]
    }

    public let threadLimit: Int
    public let queueLimit: Int
    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    /// A pool of at most `threads` threads (at least 1) and `queueLimit` waiting jobs.
    public init(threads: Int, queueLimit: Int) {
        threadLimit = max(1, threads)
        self.queueLimit = max(0, queueLimit)
    }

    /// Jobs waiting for a thread now.
    public var waiting: Int { state.withLock { $0.queue.count - $0.head } }

    /// Takes `job` unless a bound says no. A taken job runs exactly once, on a pool thread.
    func submit(key: String?, limit: Int, _ job: @escaping @Sendable () -> Void) -> Admission {
        let (admission, spawn) = state.withLock { s -> (Admission, Bool) in
            if let key, s.perKey[key, default: 0] >= limit { return (.keyBusy, false) }
            if s.queue.count - s.head >= queueLimit { return (.full, false) }
            if let key { s.perKey[key, default: 0] += 1 }
            s.queue.append((key, job))
            // A thread more when the waiting jobs outnumber the threads waiting for work.
            let spawn = s.queue.count - s.head > s.idle && s.threads < threadLimit
            if spawn { s.threads += 1 }
            return (.accepted, spawn)
        }
        guard admission == .accepted else { return admission }
        if spawn {
            if !OSThread.start({ [self] in work() }) {
                // No thread to be had: the job still runs once a running thread is free.
                state.withLock { $0.threads -= 1 }
            }
        }
        ready.signal()
        return .accepted
    }

    private func work() {
        while true {
            state.withLock { $0.idle += 1 }
            ready.wait()
            let next = state.withLock { s -> (key: String?, job: @Sendable () -> Void)? in
                s.idle -= 1
                guard s.head < s.queue.count else { return nil }
                let next = s.queue[s.head]
                s.head += 1
                if s.head > 64 && s.head * 2 > s.queue.count {
                    s.queue.removeFirst(s.head)
                    s.head = 0
                }
                return next
            }
            guard let next else { continue }
            next.job()
            if let key = next.key {
                state.withLock { s in
                    let left = s.perKey[key, default: 1] - 1
                    s.perKey[key] = left > 0 ? left : nil
                }
            }
        }
    }
}
