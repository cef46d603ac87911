import Logging
import Synchronization

/// How a CoA or Disconnect exchange ended.
public enum CoAOutcome: Sendable, Equatable {
    /// CoA-ACK or Disconnect-ACK, verified; the reply as decoded.
    case ack(RadiusPacket)
    /// CoA-NAK or Disconnect-NAK, verified, with its Error-Cause when it has one.
    case nak(ErrorCause?, RadiusPacket)
    /// No acceptable reply after every attempt.
    case timeout(attempts: Int)

    public var isACK: Bool {
        if case .ack = self { return true }
        return false
    }
}

/// Why a request could not be sent at all (a timeout is an outcome, not an error).
public enum CoAClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Only CoA-Request and Disconnect-Request are sent by this client.
    case notDynamicAuthorization(RadiusCode)
    /// The NAS's host is not a numeric IPv4 or IPv6 address.
    case badAddress(String)
    case packet(RadiusPacketError)
    case socket(SocketError)

    public var description: String {
        switch self {
        case .notDynamicAuthorization(let code): "\(code) is not a CoA-Request or a Disconnect-Request"
        case .badAddress(let host): "NAS address \"\(host)\" is not a numeric IPv4 or IPv6 address"
        case .packet(let error): "cannot build the request: \(error)"
        case .socket(let error): "socket: \(error)"
        }
    }
}

/// Sends RFC 5176 CoA-Requests and Disconnect-Requests over UDP and waits for the NAS's answer.
///
/// Each call blocks its thread (a target's delivery loop calls it, never an HTTP thread), uses a
/// socket of its own on an ephemeral port, and sends the same bytes, so the same Identifier and
/// Request Authenticator, on every attempt (RFC 5176 §2.3, RFC 5080 §2.2.1). A reply counts only
/// when it comes from the NAS's address and port, answers the request's code with its
/// Identifier, and carries a valid Response Authenticator (and Message-Authenticator, if any);
/// anything else is logged and ignored, and the wait goes on.
public final class CoAClient: Sendable {
    public struct Configuration: Sendable {
        /// Transmissions in all, the first included.
        public var attempts: Int
        /// How long each transmission waits for its reply before the next one is sent.
        public var timeout: Duration
        /// Whether requests carry a Message-Authenticator (RFC 3579 §3.2; a NAS that checks it
        /// refuses requests without one).
        public var messageAuthenticator: Bool

        public init(attempts: Int = 3, timeout: Duration = .seconds(1), messageAuthenticator: Bool = true) {
            self.attempts = max(1, attempts)
            self.timeout = timeout
            self.messageAuthenticator = messageAuthenticator
        }
    }

    public let configuration: Configuration
    let logger: Logger
    let dictionary: RadiusDictionary
    /// The next Identifier. A NAS tells requests apart by source address, port and Identifier;
    /// each call has a port of its own, and consecutive calls get different Identifiers too.
    private let nextIdentifier: Atomic<UInt8>

    public init(
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "portico.radius"),
        dictionary: RadiusDictionary = .standard
    ) {
        self.configuration = configuration
        self.logger = logger
        self.dictionary = dictionary
        nextIdentifier = Atomic(UInt8.random(in: 0...255))
    }

    /// Sends `code` (CoA-Request or Disconnect-Request) with `attributes` to `nas` and returns
    /// the verified ACK or NAK, or `.timeout` after `attempts` transmissions without one.
    ///
    /// - Throws: `CoAClientError` when the request cannot be built or a socket call fails.
    public func send(
        _ code: RadiusCode, attributes: [RadiusAttribute], to nas: NASEndpoint
    ) throws(CoAClientError) -> CoAOutcome {
        guard code == .coaRequest || code == .disconnectRequest, let replies = code.replies else {
            throw .notDynamicAuthorization(code)
        }
        guard let address = SocketAddress(host: nas.host, port: nas.port) else { throw .badAddress(nas.host) }
        let secret = Array(nas.secret.value.utf8)
        let identifier = nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
        let request: EncodedRequest
        do {
            request = try RadiusPacket.request(
                code: code, identifier: identifier, attributes: attributes, secret: secret,
                messageAuthenticator: configuration.messageAuthenticator)
        } catch {
            throw .packet(error)
        }
        let socket: UDPSocket
        do { socket = try UDPSocket(family: address.family) } catch { throw .socket(error) }
        var log = logger
        log[metadataKey: "nas"] = "\(nas)"
        log[metadataKey: "code"] = "\(code)"
        log[metadataKey: "identifier"] = "\(identifier)"
        for attempt in 1...configuration.attempts {
            do { try socket.send(request.bytes, to: address) } catch { throw .socket(error) }
            if attempt > 1 { log.debug("radius request retransmitted", metadata: ["attempt": "\(attempt)"]) }
            let deadline = ContinuousClock.now + configuration.timeout
            while true {
                let received: UDPSocket.Received
                do { received = try socket.receive(until: deadline) } catch { throw .socket(error) }
                guard case .datagram(let bytes, let source) = received else { break }
                guard address.matches(source) else {
                    log.warning(
                        "radius reply refused",
                        metadata: ["reason": "from \(SocketAddress.describe(source)), not the NAS"])
                    continue
                }
                let reply: RadiusPacket
                do {
                    reply = try RadiusPacket.verifiedResponse(bytes, to: request, secret: secret)
                } catch {
                    log.warning("radius reply refused", metadata: ["reason": "\(error)"])
                    continue
                }
                if reply.code == replies.ack {
                    log.debug("radius request acknowledged", metadata: ["attempt": "\(attempt)"])
                    return .ack(reply)
                }
                let cause = ErrorCause(in: reply)
                log.info(
                    "radius request refused by the NAS", metadata: ["errorCause": "\(cause.map { "\($0)" } ?? "none")"])
                return .nak(cause, reply)
            }
        }
        log.warning("radius request unanswered", metadata: ["attempts": "\(configuration.attempts)"])
        return .timeout(attempts: configuration.attempts)
    }
}
