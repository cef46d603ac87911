/// How an `HTTPServer` listens and the limits it enforces on every client.
///
/// The defaults suit a captive portal on a small router-facing box: a few thousand
/// connections, small bodies, and a short idle time so slow or flooding clients cannot
/// starve the others (SPEC §13).
public struct HTTPServerConfiguration: Sendable {
    /// Numeric address to listen on: "127.0.0.1", "0.0.0.0", "::" (dual stack: IPv4 and IPv6),
    /// "::1". Host names are not resolved.
    public var host: String
    /// TCP port; 0 asks the kernel for an ephemeral port, readable from `HTTPServer.port`.
    public var port: UInt16
    /// Number of libmicrohttpd polling threads (epoll, thread pool). Handlers run on them.
    public var threadPoolSize: Int
    /// Maximum concurrent connections (MHD_OPTION_CONNECTION_LIMIT).
    public var connectionLimit: Int
    /// Maximum concurrent connections from one client address
    /// (MHD_OPTION_PER_IP_CONNECTION_LIMIT); extra connections are closed on accept.
    public var perAddressConnectionLimit: Int
    /// Seconds of inactivity after which a connection is closed (MHD_OPTION_CONNECTION_TIMEOUT).
    public var idleTimeoutSeconds: Int
    /// Seconds within which a request's head (request line and header fields) must be complete:
    /// counted from the accept for a connection's first request, and from the previous answer
    /// plus `idleTimeoutSeconds` for the next ones (`HeaderWatchdog`). A client that is slower
    /// gets `408` and the connection is closed, however often it sends a byte. 0 turns it off.
    public var headerTimeoutSeconds: Int
    /// Memory pool per connection in bytes (MHD_OPTION_CONNECTION_MEMORY_LIMIT); bounds the
    /// request line and headers.
    public var connectionMemoryLimit: Int
    /// Largest accepted request body in bytes. Larger bodies get `413` with a short message and
    /// the handler is not called.
    public var maxBodyBytes: Int
    /// Threads for answers computed later (`HTTPResponse.later`: calls to a payment gateway or
    /// another remote service), started on demand; they block on the remote side, never on an
    /// MHD thread.
    public var workerThreads: Int
    /// Jobs that may wait for one of `workerThreads`; more are answered `503` at once.
    public var workerQueueLimit: Int
    /// Certificate and key for HTTPS (GnuTLS); `nil` serves plain HTTP.
    public var tls: TLSFiles?
    /// How long `stop()` waits for requests already being handled before closing everything.
    public var stopGracePeriodSeconds: Int

    /// A configuration with Portico's defaults; only the address is required.
    public init(
        host: String = "127.0.0.1",
        port: UInt16 = 0,
        threadPoolSize: Int = 2,
        connectionLimit: Int = 4096,
        perAddressConnectionLimit: Int = 64,
        idleTimeoutSeconds: Int = 30,
        headerTimeoutSeconds: Int = 10,
        connectionMemoryLimit: Int = 64 * 1024,
        maxBodyBytes: Int = 64 * 1024,
        workerThreads: Int = 8,
        workerQueueLimit: Int = 64,
        tls: TLSFiles? = nil,
        stopGracePeriodSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.threadPoolSize = threadPoolSize
        self.connectionLimit = connectionLimit
        self.perAddressConnectionLimit = perAddressConnectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.connectionMemoryLimit = connectionMemoryLimit
        self.maxBodyBytes = maxBodyBytes
        self.workerThreads = workerThreads
        self.workerQueueLimit = workerQueueLimit
        self.tls = tls
        self.stopGracePeriodSeconds = stopGracePeriodSeconds
    }
}

/// Paths of the PEM files an HTTPS listener uses.
public struct TLSFiles: Sendable, Equatable {
    /// PEM certificate (chain) path.
    public var certificatePath: String
    /// PEM private key path (unencrypted).
    public var privateKeyPath: String

    /// Names the certificate and key files; they are read when the server starts.
    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}
