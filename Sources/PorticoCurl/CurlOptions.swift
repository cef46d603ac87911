import Synchronization

/// How long a transfer may take. libcurl counts in milliseconds (CURLOPT_CONNECTTIMEOUT_MS,
/// CURLOPT_TIMEOUT_MS) and the idle limit in whole seconds (CURLOPT_LOW_SPEED_TIME).
public struct CurlTimeouts: Sendable, Equatable {
    /// Name lookup, TCP connect and the TLS handshake together.
    public var connect: Duration
    /// The whole transfer, connect included; nil for none (a long-lived stream: use `idle`).
    public var total: Duration?
    /// Abort when less than one byte arrives for this long (rounded up to whole seconds). For a
    /// stream whose server sends a heartbeat, a little more than the heartbeat's period.
    public var idle: Duration?

    public init(connect: Duration = .seconds(5), total: Duration? = .seconds(30), idle: Duration? = nil) {
        self.connect = connect
        self.total = total
        self.idle = idle
    }

    /// `connect` at most `min(total, connectAtMost)`, `total` as given.
    public static func total(_ total: Duration, connectAtMost: Duration = .seconds(5)) -> CurlTimeouts {
        CurlTimeouts(connect: min(total, connectAtMost), total: total)
    }
}

/// TLS for one transfer. Certificates are verified (peer and host name) unless `verify` is
/// turned off, which only a test against a self-signed server on loopback should do.
public struct CurlTLS: Sendable, Equatable {
    /// PEM bundle of the CAs that may sign the server's certificate (CURLOPT_CAINFO); nil: the
    /// system's.
    public var caFile: String?
    /// CURLOPT_PINNEDPUBLICKEY: `sha256//<base64 of the SHA-256 of the DER public key>` (several
    /// joined with `;`), or the path of a PEM/DER public key. A server whose key does not match
    /// is refused (`CurlError.pinMismatch`), whichever CA signed it.
    public var pinnedPublicKey: String?
    /// CURLOPT_SSL_VERIFYPEER and CURLOPT_SSL_VERIFYHOST.
    public var verify: Bool

    public init(caFile: String? = nil, pinnedPublicKey: String? = nil, verify: Bool = true) {
        self.caFile = caFile
        self.pinnedPublicKey = pinnedPublicKey
        self.verify = verify
    }
}

/// A user name and password: HTTP basic auth (CURLAUTH_BASIC), or SMTP AUTH with the best
/// mechanism the server offers.
public struct CurlCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Never the password.
    public var description: String { "\(username):[redacted]" }
}

/// A flag another thread sets to end a transfer in progress (a stream that would otherwise run
/// for hours). libcurl's progress callback (CURLOPT_XFERINFOFUNCTION) checks it about once a
/// second while the transfer waits, and the body callback checks it as data arrives; the
/// transfer then ends with `CurlError.cancelled` or `HTTPClient.StreamEnd.cancelled`.
public final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the transfer to end; safe from any thread, any number of times.
    public func cancel() { flag.store(true, ordering: .releasing) }

    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
}

extension Duration {
    /// Whole milliseconds, rounded up so a positive duration never becomes 0 ("no limit").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(ms, 1))
    }

    /// Whole seconds, rounded up, at least 1.
    var curlSeconds: Int { (curlMilliseconds + 999) / 1000 }
}
