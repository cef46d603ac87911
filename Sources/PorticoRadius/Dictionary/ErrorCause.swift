/// Error-Cause (101, RFC 5176 §3.6): why a NAS answered CoA-NAK or Disconnect-NAK (or, with
/// 201, what it did besides an ACK).
public struct ErrorCause: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let residualSessionContextRemoved = ErrorCause(rawValue: 201)
    public static let invalidEAPPacket = ErrorCause(rawValue: 202)
    public static let unsupportedAttribute = ErrorCause(rawValue: 401)
    public static let missingAttribute = ErrorCause(rawValue: 402)
    public static let nasIdentificationMismatch = ErrorCause(rawValue: 403)
    public static let invalidRequest = ErrorCause(rawValue: 404)
    public static let unsupportedService = ErrorCause(rawValue: 405)
    public static let unsupportedExtension = ErrorCause(rawValue: 406)
    public static let invalidAttributeValue = ErrorCause(rawValue: 407)
    public static let administrativelyProhibited = ErrorCause(rawValue: 501)
    public static let requestNotRoutable = ErrorCause(rawValue: 502)
    public static let sessionContextNotFound = ErrorCause(rawValue: 503)
    public static let sessionContextNotRemovable = ErrorCause(rawValue: 504)
    public static let otherProxyProcessingError = ErrorCause(rawValue: 505)
    public static let resourcesUnavailable = ErrorCause(rawValue: 506)
    public static let requestInitiated = ErrorCause(rawValue: 507)
    public static let multipleSessionSelectionUnsupported = ErrorCause(rawValue: 508)

    /// The names FreeRADIUS's dictionary.rfc5176 gives (also accepted as text by the dictionary).
    static let names: [UInt32: String] = [
        201: "Residual-Context-Removed", 202: "Invalid-EAP-Packet", 401: "Unsupported-Attribute",
        402: "Missing-Attribute", 403: "NAS-Identification-Mismatch", 404: "Invalid-Request",
        405: "Unsupported-Service", 406: "Unsupported-Extension", 407: "Invalid-Attribute-Value",
        501: "Administratively-Prohibited", 502: "Proxy-Request-Not-Routable", 503: "Session-Context-Not-Found",
        504: "Session-Context-Not-Removable", 505: "Proxy-Processing-Error", 506: "Resources-Unavailable",
        507: "Request-Initiated", 508: "Multiple-Session-Selection-Unsupported",
    ]

    /// "Session-Context-Not-Found (503)"; "Error-Cause 999" for a value without a name.
    public var description: String {
        Self.names[rawValue].map { "\($0) (\(rawValue))" } ?? "Error-Cause \(rawValue)"
    }

    /// 4xx: the NAS found the request at fault (RFC 5176 §3.6); sending it again will not help.
    public var isRequestError: Bool { (400..<500).contains(rawValue) }

    /// The session the request named is not on this NAS (any more): nothing is left to change.
    public var isSessionGone: Bool { self == .sessionContextNotFound }

    /// The Error-Cause of a packet, if it has one that is 4 octets.
    public init?(in packet: RadiusPacket) {
        guard let value = packet.first(.standard(101))?.integerValue else { return nil }
        self.init(rawValue: value)
    }
}
