import Crypto
import Logging
import PorticoCore
import PorticoRadius
import Synchronization

/// MD5 and HMAC-MD5 computed here with swift-crypto directly, to build replies the way other
/// implementations do.
enum HMACForTesting {
    static func md5(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.MD5>.authenticationCode(for: bytes, using: SymmetricKey(data: key)))
    }

    static func plainMD5(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.MD5.hash(data: bytes)) }
}

/// Log lines a test can read: level, message and metadata.
final class CapturedLogs: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    /// The lines whose message is `message`.
    func with(_ message: String) -> [Line] { all.filter { $0.message == message } }

    func logger() -> Logger {
        Logger(label: "portico.radius") { _ in Handler(sink: self) }
    }

    fileprivate func append(_ line: Line) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
            file: String, function: String, line: UInt
        ) {
            var all = metadata
            for (key, value) in extra ?? [:] { all[key] = value }
            sink.append(Line(level: level, message: "\(message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}

extension NASEndpoint {
    /// The NAS peer on loopback, with `secret` (the peer's own, or a wrong one).
    static func loopback(port: UInt16, secret: String) -> NASEndpoint {
        NASEndpoint(host: "127.0.0.1", port: port, secret: Secret(secret))
    }
}

/// A client that gives up quickly: tests of unanswered requests take attempts × timeout.
func quickClient(_ logs: CapturedLogs, attempts: Int = 3, timeout: Duration = .milliseconds(300)) -> CoAClient {
    CoAClient(configuration: .init(attempts: attempts, timeout: timeout), logger: logs.logger())
}
