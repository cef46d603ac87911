import CMicroHTTPD
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd: epoll with an internal thread pool; each request's
/// synchronous handler runs on one of the pool's threads.
///
/// Limits from `HTTPServerConfiguration` are enforced before the handler runs: connections
/// in total and per client address, idle time, header memory and body size (`413`). A path
/// with malformed percent-escapes gets `400`. A head that could be read two ways, or holds
/// bytes no head may hold (`RequestFraming`: both `Content-Length` and `Transfer-Encoding`, an
/// unknown transfer coding → `501`, a control byte or space in the target, a bad field name),
/// is refused before the fast path or the handler sees it, and the connection is closed.
///
/// `Sendable` without `@unchecked`: every stored property is immutable and `Sendable`, and
/// the mutable parts sit in a `Mutex` (lifecycle) or an `Atomic` (in-flight count).
public final class HTTPServer: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    /// Asked first, when a request's headers are complete, with nothing copied out of
    /// libmicrohttpd; an answer it gives is sent without building an `HTTPRequest`.
    let fastPath: FastPath?
    let logger: Logger
    /// Where `HTTPResponse.later` work runs (never on an MHD thread).
    let workers: WorkerPool
    /// Requests suspended while their work runs, for `stop()` to resume.
    let suspended = Mutex<[ObjectIdentifier: SuspendedRequest]>([:])
    /// Closes connections whose request head takes longer than `headerTimeoutSeconds`.
    let watchdog: HeaderWatchdog
    /// Requests whose handler has been called and whose response is not yet sent, counted per
    /// thread (the sum is what `stop()` waits for).
    let inFlight = PerThread { Tally() }
    /// Finished requests' state objects, per thread, for the next requests to reuse.
    let statePool = PerThread { RequestState.Pool() }
    private let lifecycle = Mutex<Lifecycle>(.idle)

    private enum Lifecycle {
        case idle
        case running(Running)
        case stopped
    }

    private struct Running {
        let daemon: OpaquePointer
        let port: UInt16
        /// Keeps `self` alive while MHD can call back with it as context.
        let context: Unmanaged<HTTPServer>
        /// PEM text handed to MHD, kept until the daemon stops.
        let tlsMemory: TLSMemory?
        /// Where MHD's log trampoline sends messages; freed after the daemon stops.
        let logSink: UnsafeMutablePointer<portico_mhd_log_sink>
    }

    /// A server that answers every request with `handler`. It does not listen until `start()`.
    ///
    /// The handler runs on an MHD thread and blocks it while it runs: keep it fast, never wait
    /// there on Swift concurrency work, and return `HTTPResponse.later` for anything that calls
    /// out (it runs on `workers`: the given pool, shared with other servers, or one of this
    /// server's own sized by the configuration).
    public init(
        configuration: HTTPServerConfiguration,
        logger: Logger = Logger(label: "portico.http"),
        fastPath: FastPath? = nil,
        workers: WorkerPool? = nil,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.workers =
            workers ?? WorkerPool(threads: configuration.workerThreads, queueLimit: configuration.workerQueueLimit)
        self.fastPath = fastPath
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        watchdog = HeaderWatchdog(
            headerTimeoutSeconds: configuration.headerTimeoutSeconds,
            idleTimeoutSeconds: configuration.idleTimeoutSeconds, plainHTTP: configuration.tls == nil,
            onExpiry: { [logger] count in
                logger.info(
                    "closed connections whose request headers were not complete in time",
                    metadata: ["connections": "\(count)", "limit_seconds": "\(configuration.headerTimeoutSeconds)"])
            })
    }

    /// The port the server listens on (MHD_DAEMON_INFO_BIND_PORT); 0 when not running.
    public var port: UInt16 {
        lifecycle.withLock { state in
            if case .running(let running) = state { return running.port }
            return 0
        }
    }

    /// Binds the configured address and starts serving. A started server stays alive until
    /// `stop()`, even without other references.
    ///
    /// - Throws: `HTTPServerError` naming the address (bind) or file (TLS).
    public func start() throws(HTTPServerError) {
        try lifecycle.withLock { (state: inout Lifecycle) throws(HTTPServerError) in
            guard case .idle = state else { throw .alreadyStarted }
            state = .running(try launch())
        }
    }

    private func launch() throws(HTTPServerError) -> Running {
        let tlsMemory = try configuration.tls.map { files throws(HTTPServerError) in try TLSMemory(files) }
        let socket = try ListeningSocket.open(host: configuration.host, port: configuration.port)
        let context = Unmanaged.passRetained(self)
        let contextPointer = context.toOpaque()
        let logSink = UnsafeMutablePointer<portico_mhd_log_sink>.allocate(capacity: 1)
        logSink.initialize(to: portico_mhd_log_sink(function: mhdLog, context: contextPointer))

        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ITC.rawValue
            | MHD_USE_ERROR_LOG.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if socket.isDualStack {
            flags |= MHD_USE_DUAL_STACK.rawValue
        } else if socket.isIPv6 {
            flags |= MHD_USE_IPv6.rawValue
        }
        if tlsMemory != nil { flags |= MHD_USE_TLS.rawValue }

        // In an option array a two-pointer option stores the function in `value` and its cls
        // in `ptr_value`. The logger comes first so that start-up messages are routed too.
        func callback(_ option: MHD_OPTION, _ function: UnsafeMutableRawPointer) -> MHD_OptionItem {
            MHD_OptionItem(option: option, value: Int(bitPattern: function), ptr_value: contextPointer)
        }
        func number(_ option: MHD_OPTION, _ value: Int) -> MHD_OptionItem {
            MHD_OptionItem(option: option, value: value, ptr_value: nil)
        }
        var options: [MHD_OptionItem] = [
            portico_mhd_logger_option(logSink),
            number(.LISTEN_SOCKET, Int(socket.descriptor)),
            callback(.URI_LOG_CALLBACK, MHDCallbacks.uriLog),
            callback(.NOTIFY_COMPLETED, MHDCallbacks.completed),
            callback(.NOTIFY_CONNECTION, MHDCallbacks.notified),
            number(.CONNECTION_LIMIT, configuration.connectionLimit),
            number(.PER_IP_CONNECTION_LIMIT, configuration.perAddressConnectionLimit),
            number(.CONNECTION_TIMEOUT, configuration.idleTimeoutSeconds),
            number(.CONNECTION_MEMORY_LIMIT, configuration.connectionMemoryLimit),
            // In 0.9.75 the value -1 (not 1, whatever the header's comment says) makes MHD refuse
            // a blank before a header's colon (`Transfer-Encoding : chunked`, `X Y: z`) with 400.
            // 1 would instead close, without an answer, on a space in the target, and answer a
            // missing Host with two status lines; both are refused here (`RequestFraming`).
            number(.STRICT_FOR_CLIENT, -1),
        ]
        if configuration.threadPoolSize > 1 {
            options.append(number(.THREAD_POOL_SIZE, configuration.threadPoolSize))
        }
        if let tlsMemory {
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: tlsMemory.key))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: tlsMemory.certificate))
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        let daemon = options.withUnsafeMutableBufferPointer { items in
            portico_mhd_start_daemon(flags, accessHandler, contextPointer, items.baseAddress)
        }
        guard let daemon else {
            logSink.deallocate()
            context.release()
            close(socket.descriptor)
            throw .daemonStartFailed(address: socket.addressDescription)
        }
        watchdog.start()
        var port = portico_mhd_bind_port(daemon)
        if port == 0 { port = socket.boundPort() }
        return Running(daemon: daemon, port: port, context: context, tlsMemory: tlsMemory, logSink: logSink)
    }

    /// Stops accepting connections (MHD_quiesce_daemon), lets requests whose handler is
    /// running finish and send their responses (up to `stopGracePeriodSeconds`), then stops
    /// the daemon (MHD_stop_daemon) and closes every connection, including idle keep-alive
    /// ones and requests still sending their body. Calling it again does nothing. Must not
    /// be called from a handler.
    public func stop() {
        let running: Running? = lifecycle.withLock { state in
            guard case .running(let running) = state else { return nil }
            state = .stopped
            return running
        }
        guard let running else { return }
        let listenDescriptor = MHD_quiesce_daemon(running.daemon)
        let deadline = ContinuousClock.now + .seconds(configuration.stopGracePeriodSeconds)
        while inFlight.every.reduce(0, { $0 + $1.value.load(ordering: .relaxed) }) > 0
            && ContinuousClock.now < deadline
        {
            usleep(5_000)
        }
        resumeSuspended()
        MHD_stop_daemon(running.daemon)
        watchdog.stop()
        // After a quiesce MHD no longer owns the listening socket; close it only now, as MHD's
        // documentation asks for threaded modes.
        if listenDescriptor >= 0 { close(listenDescriptor) }
        running.logSink.deallocate()
        running.context.release()
    }
}

/// A count changed by one thread and summed by others.
final class Tally: Sendable {
    let value = Atomic<Int>(0)
}
