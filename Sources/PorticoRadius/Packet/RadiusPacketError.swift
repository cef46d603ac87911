/// Why bytes are not an acceptable RADIUS packet, or a packet cannot be built. Every case says
/// enough for a log line; none carries the shared secret.
public enum RadiusPacketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 20 octets of the header.
    case tooShort(received: Int)
    /// The Length field is below 20, above 4096, or more than the octets received.
    case badLength(declared: Int, received: Int)
    /// An attribute's header or value runs past the end of the packet.
    case truncatedAttribute(offset: Int)
    /// An attribute whose Length is below 2, or attribute type 0.
    case badAttribute(type: UInt8, length: Int, offset: Int)
    /// A Vendor-Specific attribute too short for a vendor id, with a vendor id above 2^24, or
    /// whose vendor attributes do not fill it exactly.
    case badVendorSpecific(offset: Int)
    /// A Message-Authenticator that is not 16 octets, or more than one of them.
    case badMessageAuthenticator(offset: Int)
    /// A value too long for one attribute (253 octets, 247 for a vendor's).
    case valueTooLong(AttributeKey, length: Int)
    /// A vendor id above 2^24 (RFC 2865 §5.26: the high-order octet is 0).
    case badVendor(UInt32)
    /// The encoded packet would be longer than 4096 octets.
    case packetTooLong(length: Int)
    /// An authenticator argument that is not 16 octets.
    case badAuthenticatorLength(Int)
    /// The Request or Response Authenticator does not match the packet and the secret.
    case wrongAuthenticator
    /// The Message-Authenticator does not match the packet and the secret.
    case wrongMessageAuthenticator
    /// A reply whose Identifier is not the request's.
    case unexpectedIdentifier(received: UInt8, expected: UInt8)
    /// A reply whose Code is not one of the request's answers.
    case unexpectedCode(RadiusCode, request: RadiusCode)

    public var description: String {
        switch self {
        case .tooShort(let received): "packet of \(received) octets is shorter than the 20-octet header"
        case .badLength(let declared, let received):
            "Length field \(declared) is outside 20...4096 or above the \(received) octets received"
        case .truncatedAttribute(let offset): "attribute at offset \(offset) runs past the end of the packet"
        case .badAttribute(let type, let length, let offset):
            "attribute type \(type) at offset \(offset) has an invalid length \(length) or type"
        case .badVendorSpecific(let offset): "malformed Vendor-Specific attribute at offset \(offset)"
        case .badMessageAuthenticator(let offset): "malformed or repeated Message-Authenticator at offset \(offset)"
        case .valueTooLong(let key, let length): "value of \(key) is \(length) octets, too long for one attribute"
        case .badVendor(let vendor): "vendor id \(vendor) does not fit a Vendor-Specific attribute"
        case .packetTooLong(let length): "packet would be \(length) octets, above RADIUS's 4096"
        case .badAuthenticatorLength(let length): "an authenticator is 16 octets, not \(length)"
        case .wrongAuthenticator: "authenticator does not match (wrong shared secret, forged or replayed)"
        case .wrongMessageAuthenticator:
            "Message-Authenticator does not match (wrong shared secret, forged or replayed)"
        case .unexpectedIdentifier(let received, let expected): "Identifier \(received), expected \(expected)"
        case .unexpectedCode(let code, let request): "\(code) is not an answer to \(request)"
        }
    }
}
