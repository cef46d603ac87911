import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Closes connections whose request head is not complete in time.
///
/// libmicrohttpd 0.9.75 only has an idle timeout, restarted by every byte: a client that sends
/// one header line every few seconds holds its connection (and its share of the per-address
/// limit) for ever. The rule here, as nginx's `client_header_timeout`: the first request's head
/// must be complete within `headerTimeout` of the connection's accept; each later head on a
/// kept-alive connection within `idleTimeout + headerTimeout` of the previous answer (MHD's idle
/// timeout still closes a connection that sends nothing). From a complete head to its answer no
/// deadline runs (the body has the idle timeout and the size limit; a suspended request has its
/// worker's own bounds).
///
/// Each connection's deadline is one atomic in a `ConnectionWatch`, touched twice per request
/// (disarmed when the head is complete, armed again when the answer is sent). A thread of its own
/// sweeps the watches a few times a second; an expired connection gets `408` (plain HTTP only:
/// MHD is not writing to it while it waits for a head) and `shutdown(2)`, after which MHD sees
/// the end of the stream and closes it itself.
final class HeaderWatchdog: Sendable {
    /// One connection's deadline. Made when MHD accepts the connection, kept in its socket
    /// context, dropped when MHD reports it closed (before MHD closes the descriptor).
    final class Watch: Sendable {
        let descriptor: Int32
        /// `OSThread.coarseMilliseconds()` by which the current head must be complete; 0 while
        /// a request is being handled or answered.
        let deadline: Atomic<Int64>
        let list: WatchList

        init(descriptor: Int32, deadline: Int64, list: WatchList) {
            self.descriptor = descriptor
            self.deadline = Atomic(deadline)
            self.list = list
        }
    }

    /// The watches of the connections one MHD thread accepted. The lock is taken on accept and
    /// close, and by the sweep; the sweep's `shutdown` happens under it, so a descriptor is
    /// never shut down after MHD has closed (and the kernel perhaps reused) it.
    final class WatchList: Sendable {
        let watches = Mutex<[ObjectIdentifier: Watch]>([:])
    }

    private let headerMilliseconds: Int64
    private let idleMilliseconds: Int64
    private let plainHTTP: Bool
    private let lists = PerThread { WatchList() }
    private let running = Atomic<Bool>(false)
    private let onExpiry: @Sendable (Int) -> Void

    /// `headerTimeoutSeconds` 0 turns the deadline off. `onExpiry` hears how many connections a
    /// sweep closed.
    init(
        headerTimeoutSeconds: Int, idleTimeoutSeconds: Int, plainHTTP: Bool,
        onExpiry: @escaping @Sendable (Int) -> Void
    ) {
        headerMilliseconds = Int64(headerTimeoutSeconds) * 1000
        idleMilliseconds = Int64(idleTimeoutSeconds) * 1000
        self.plainHTTP = plainHTTP
        self.onExpiry = onExpiry
    }

    var isEnabled: Bool { headerMilliseconds > 0 }

    /// A connection was accepted on the calling (MHD) thread.
    func opened(descriptor: Int32) -> Watch {
        let list = lists.current
        let watch = Watch(
            descriptor: descriptor, deadline: OSThread.coarseMilliseconds() + headerMilliseconds, list: list)
        list.watches.withLock { $0[ObjectIdentifier(watch)] = watch }
        return watch
    }

    /// MHD is about to close the connection.
    func closed(_ watch: Watch) {
        _ = watch.list.watches.withLock { $0.removeValue(forKey: ObjectIdentifier(watch)) }
    }

    /// The head is complete: no deadline until the answer is sent.
    func headComplete(_ watch: Watch) {
        watch.deadline.store(0, ordering: .relaxed)
    }

    /// The answer was sent: the next head on this connection has its deadline.
    func answered(_ watch: Watch) {
        watch.deadline.store(
            OSThread.coarseMilliseconds() + idleMilliseconds + headerMilliseconds, ordering: .relaxed)
    }

    /// Starts the sweeping thread (nothing when the deadline is off).
    func start() {
        guard isEnabled, !running.exchange(true, ordering: .relaxed) else { return }
        let tick = useconds_t(max(50, min(250, headerMilliseconds / 4)) * 1000)
        OSThread.start { [self] in
            while running.load(ordering: .relaxed) {
                usleep(tick)
                sweep(now: OSThread.coarseMilliseconds())
            }
        }
    }

    /// Ends the sweeping thread within one tick.
    func stop() {
        running.store(false, ordering: .relaxed)
    }

    private func sweep(now: Int64) {
        var expired = 0
        for list in lists.every {
            list.watches.withLock { watches in
                for watch in watches.values {
                    let deadline = watch.deadline.load(ordering: .relaxed)
                    guard deadline != 0 && deadline <= now else { continue }
                    watch.deadline.store(0, ordering: .relaxed)
                    expire(watch.descriptor)
                    expired += 1
                }
            }
        }
        if expired > 0 { onExpiry(expired) }
    }

    private static let timeoutAnswer: [UInt8] = {
        let body = "Request timeout: the request headers took too long to send.\n"
        return Array(
            ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
    }()

    private func expire(_ descriptor: Int32) {
        if plainHTTP {
            _ = Self.timeoutAnswer.withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
        }
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
