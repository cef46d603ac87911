/// A RADIUS packet's Code (RFC 2865 §3, RFC 2866 §3, RFC 5176 §3).
///
/// A struct rather than an enum so that any code decodes: a peer that answers with a code Portico
/// does not expect is refused by the client, not by the decoder.
public struct RadiusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let accessRequest = RadiusCode(rawValue: 1)
    public static let accessAccept = RadiusCode(rawValue: 2)
    public static let accessReject = RadiusCode(rawValue: 3)
    public static let accountingRequest = RadiusCode(rawValue: 4)
    public static let accountingResponse = RadiusCode(rawValue: 5)
    public static let accessChallenge = RadiusCode(rawValue: 11)
    public static let statusServer = RadiusCode(rawValue: 12)
    /// RFC 5176 §3: Disconnect-Request 40, its ACK 41 and NAK 42.
    public static let disconnectRequest = RadiusCode(rawValue: 40)
    public static let disconnectACK = RadiusCode(rawValue: 41)
    public static let disconnectNAK = RadiusCode(rawValue: 42)
    /// RFC 5176 §3: CoA-Request 43, its ACK 44 and NAK 45.
    public static let coaRequest = RadiusCode(rawValue: 43)
    public static let coaACK = RadiusCode(rawValue: 44)
    public static let coaNAK = RadiusCode(rawValue: 45)

    /// The name FreeRADIUS and the RFCs use, e.g. "CoA-ACK"; "Code-N" for others.
    public var description: String {
        switch rawValue {
        case 1: "Access-Request"
        case 2: "Access-Accept"
        case 3: "Access-Reject"
        case 4: "Accounting-Request"
        case 5: "Accounting-Response"
        case 11: "Access-Challenge"
        case 12: "Status-Server"
        case 40: "Disconnect-Request"
        case 41: "Disconnect-ACK"
        case 42: "Disconnect-NAK"
        case 43: "CoA-Request"
        case 44: "CoA-ACK"
        case 45: "CoA-NAK"
        default: "Code-\(rawValue)"
        }
    }

    /// Requests whose Request Authenticator is an MD5 over the packet and the secret (RFC 2866
    /// §3, RFC 5176 §3.3), rather than random bytes.
    public var hasKeyedRequestAuthenticator: Bool {
        self == .accountingRequest || self == .disconnectRequest || self == .coaRequest
    }

    /// The positive and negative answers to this request; nil for a code that is not a request
    /// Portico sends.
    public var replies: (ack: RadiusCode, nak: RadiusCode)? {
        switch self {
        case .coaRequest: (.coaACK, .coaNAK)
        case .disconnectRequest: (.disconnectACK, .disconnectNAK)
        case .accessRequest: (.accessAccept, .accessReject)
        default: nil
        }
    }
}
