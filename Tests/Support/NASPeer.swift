import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A NAS's CoA/Disconnect server for the tests: `Tests/radius/nas_peer.py` on pyrad (PyPI, which
/// `make deps` installs), on 127.0.0.1 at a port the kernel picks. It checks each request's
/// authenticators with its own RADIUS code, records what it received, and answers as told.
public final class NASPeer: @unchecked Sendable {
    // @unchecked: `process` and `directory` are set once in init; ChildProcess is itself safe to
    // share (its mutable state sits behind a Mutex).

    /// How the peer answers a request of one kind (see the script's documentation).
    public enum Answer: Sendable {
        case ack
        case nak(errorCause: UInt32)
        case silent
        /// ACK only the n-th copy of a request (1 = the first transmission).
        case late(copy: Int)
        case forged
        case replay
        case otherSource
        case forgedThenACK

        var argument: String {
            switch self {
            case .ack: "ack"
            case .nak(let cause): "nak:\(cause)"
            case .silent: "silent"
            case .late(let copy): "late:\(copy)"
            case .forged: "forged"
            case .replay: "replay"
            case .otherSource: "other-source"
            case .forgedThenACK: "forged-then-ack"
            }
        }
    }

    /// One datagram the peer received, as its JSON line says.
    public struct Received: @unchecked Sendable {
        // @unchecked: an immutable value holding JSON-decoded values (strings, numbers, arrays).
        public let code: Int
        public let identifier: Int
        public let authenticator: String
        /// pyrad's verdict on the Request Authenticator with the peer's secret.
        public let authenticatorValid: Bool
        /// pyrad's verdict on the Message-Authenticator; nil when there was none.
        public let messageAuthenticatorValid: Bool?
        /// Attribute name (FreeRADIUS's dictionaries) → values as text.
        public let attributes: [String: [String]]
        public let sourcePort: Int
    }

    public let port: UInt16
    public let secret: String
    private let process: ChildProcess
    private let directory: TestDirectory
    private var recordPath: String { directory.path + "/received.jsonl" }

    public init(secret: String, coa: Answer = .ack, disconnect: Answer = .ack) throws {
        self.secret = secret
        directory = try TestDirectory("portico-nas-peer")
        let script = RepositoryPaths.root + "/Tests/radius/nas_peer.py"
        process = try ChildProcess(
            [
                "python3", script, "--secret", secret, "--record", directory.path + "/received.jsonl",
                "--coa", coa.argument, "--disconnect", disconnect.argument,
            ], output: .pipe, error: .file(directory.path + "/stderr.log"))
        let banner = process.readOutput(until: "\n", seconds: 20)
        guard let line = banner.split(separator: "\n").first, line.hasPrefix("listening "),
            let port = UInt16(line.dropFirst("listening ".count))
        else {
            let stderr = (try? String(contentsOfFile: directory.path + "/stderr.log", encoding: .utf8)) ?? ""
            throw LabError("the NAS peer did not start (is pyrad installed? make deps): \(banner) \(stderr)")
        }
        self.port = port
    }

    deinit {
        process.signal(SIGTERM)
        if process.waitForExit(seconds: 5) == nil { process.kill9() }
    }

    /// What the peer has received so far, in order.
    public func received() -> [Received] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            return Received(
                code: object["code"] as? Int ?? -1, identifier: object["id"] as? Int ?? -1,
                authenticator: object["authenticator"] as? String ?? "",
                authenticatorValid: object["authenticatorValid"] as? Bool ?? false,
                messageAuthenticatorValid: object["messageAuthenticatorValid"] as? Bool,
                attributes: object["attributes"] as? [String: [String]] ?? [:],
                sourcePort: object["sourcePort"] as? Int ?? -1)
        }
    }

    /// Waits (at most `seconds`) until the peer has recorded `count` datagrams; what it has then.
    public func waitForReceived(_ count: Int, seconds: Double = 10) -> [Received] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen = received()
        while seen.count < count && Date() < deadline {
            usleep(10_000)
            seen = received()
        }
        return seen
    }
}
