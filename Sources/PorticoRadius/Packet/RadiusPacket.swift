/// One RADIUS packet (RFC 2865 §3): Code, Identifier, Authenticator and attributes, in order.
///
/// `encoded()` and `decode(_:)` only translate; the authenticators are computed and checked by
/// `RadiusPacket+Signing.swift`, over the bytes as received, never over a re-encoding.
public struct RadiusPacket: Hashable, Sendable {
    public var code: RadiusCode
    public var identifier: UInt8
    /// 16 octets: random (Access-Request), keyed MD5 (other requests and every reply).
    public var authenticator: [UInt8]
    public var attributes: [RadiusAttribute]

    public static let headerLength = 20
    public static let maximumLength = 4096
    public static let authenticatorLength = 16

    public init(
        code: RadiusCode, identifier: UInt8, authenticator: [UInt8] = [UInt8](repeating: 0, count: 16),
        attributes: [RadiusAttribute] = []
    ) {
        self.code = code
        self.identifier = identifier
        self.authenticator = authenticator
        self.attributes = attributes
    }

    /// Every value of `key`, in order.
    public func values(_ key: AttributeKey) -> [[UInt8]] {
        attributes.filter { $0.key == key }.map(\.value)
    }

    /// The first attribute with `key`, or nil.
    public func first(_ key: AttributeKey) -> RadiusAttribute? {
        attributes.first { $0.key == key }
    }

    /// The wire form. Each vendor attribute goes in a Vendor-Specific of its own (RFC 2865
    /// §5.26 allows several per VSA; one each is what NAS implementations expect).
    ///
    /// - Throws: `.valueTooLong` for a value that does not fit one attribute, `.packetTooLong`
    ///   above 4096 octets, `.badAuthenticatorLength` unless the authenticator is 16 octets.
    public func encoded() throws(RadiusPacketError) -> [UInt8] {
        guard authenticator.count == Self.authenticatorLength else {
            throw .badAuthenticatorLength(authenticator.count)
        }
        var bytes: [UInt8] = [code.rawValue, identifier, 0, 0]
        bytes.reserveCapacity(Self.headerLength + attributes.count * 16)
        bytes += authenticator
        for attribute in attributes {
            try Self.append(attribute, to: &bytes)
        }
        guard bytes.count <= Self.maximumLength else { throw .packetTooLong(length: bytes.count) }
        bytes[2] = UInt8(bytes.count >> 8)
        bytes[3] = UInt8(bytes.count & 0xff)
        return bytes
    }

    private static func append(_ attribute: RadiusAttribute, to bytes: inout [UInt8]) throws(RadiusPacketError) {
        let key = attribute.key
        if key.vendor == 0 {
            guard attribute.value.count <= RadiusAttribute.maximumStandardValue else {
                throw .valueTooLong(key, length: attribute.value.count)
            }
            bytes += [key.type, UInt8(attribute.value.count + 2)]
        } else {
            guard key.vendor < 1 << 24 else { throw .badVendor(key.vendor) }
            guard attribute.value.count <= RadiusAttribute.maximumVendorValue else {
                throw .valueTooLong(key, length: attribute.value.count)
            }
            let vendor = key.vendor
            bytes += [
                AttributeKey.vendorSpecificType, UInt8(attribute.value.count + 8),
                0, UInt8(vendor >> 16), UInt8((vendor >> 8) & 0xff), UInt8(vendor & 0xff),
                key.type, UInt8(attribute.value.count + 2),
            ]
        }
        bytes += attribute.value
    }

    /// Decodes a packet strictly: the header, the Length field (octets past it are padding, RFC
    /// 2865 §3), and attributes that fill the packet exactly. Vendor-Specific attributes are
    /// split into their vendor attributes (RFC 2865 §5.26 format); the few vendors known to use
    /// another format are kept whole as a standard attribute 26.
    ///
    /// - Throws: `RadiusPacketError` naming what is wrong and where; never traps.
    public static func decode(_ bytes: [UInt8]) throws(RadiusPacketError) -> RadiusPacket {
        try decodeWithMessageAuthenticator(bytes).packet
    }

    /// `decode(_:)`, and where the Message-Authenticator's value starts (for the checks that
    /// must zero it in the received bytes).
    static func decodeWithMessageAuthenticator(
        _ bytes: [UInt8]
    ) throws(RadiusPacketError) -> (packet: RadiusPacket, length: Int, messageAuthenticatorAt: Int?) {
        guard bytes.count >= headerLength else { throw .tooShort(received: bytes.count) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length >= headerLength, length <= maximumLength, length <= bytes.count else {
            throw .badLength(declared: length, received: bytes.count)
        }
        var attributes: [RadiusAttribute] = []
        var messageAuthenticatorAt: Int?
        var offset = headerLength
        while offset < length {
            guard offset + 2 <= length else { throw .truncatedAttribute(offset: offset) }
            let type = bytes[offset]
            let attributeLength = Int(bytes[offset + 1])
            guard type != 0, attributeLength >= 2 else {
                throw .badAttribute(type: type, length: attributeLength, offset: offset)
            }
            guard offset + attributeLength <= length else { throw .truncatedAttribute(offset: offset) }
            let value = Array(bytes[(offset + 2)..<(offset + attributeLength)])
            if type == AttributeKey.vendorSpecificType {
                attributes += try vendorAttributes(value, offset: offset)
            } else {
                if type == AttributeKey.messageAuthenticator.type {
                    guard value.count == authenticatorLength, messageAuthenticatorAt == nil else {
                        throw .badMessageAuthenticator(offset: offset)
                    }
                    messageAuthenticatorAt = offset + 2
                }
                attributes.append(RadiusAttribute(.standard(type), value))
            }
            offset += attributeLength
        }
        let packet = RadiusPacket(
            code: RadiusCode(rawValue: bytes[0]), identifier: bytes[1], authenticator: Array(bytes[4..<20]),
            attributes: attributes)
        return (packet, length, messageAuthenticatorAt)
    }

    /// Vendors whose Vendor-Specific attributes do not follow RFC 2865's suggested format
    /// (USR: 4-octet types; Lucent and Starent: 2-octet types): kept whole.
    static let vendorsWithOtherFormats: Set<UInt32> = [429, 4846, 8164]

    private static func vendorAttributes(_ value: [UInt8], offset: Int) throws(RadiusPacketError) -> [RadiusAttribute] {
        guard value.count >= 4, value[0] == 0 else { throw .badVendorSpecific(offset: offset) }
        let vendor = UInt32(value[1]) << 16 | UInt32(value[2]) << 8 | UInt32(value[3])
        // Vendor 0 is reserved: its attributes would read as standard ones.
        guard vendor != 0 else { throw .badVendorSpecific(offset: offset) }
        if vendorsWithOtherFormats.contains(vendor) {
            return [RadiusAttribute(.standard(AttributeKey.vendorSpecificType), value)]
        }
        var result: [RadiusAttribute] = []
        var index = 4
        guard index < value.count else { throw .badVendorSpecific(offset: offset) }
        while index < value.count {
            guard index + 2 <= value.count else { throw .badVendorSpecific(offset: offset) }
            let subLength = Int(value[index + 1])
            guard subLength >= 2, index + subLength <= value.count else { throw .badVendorSpecific(offset: offset) }
            result.append(
                RadiusAttribute(.vendor(vendor, value[index]), Array(value[(index + 2)..<(index + subLength)])))
            index += subLength
        }
        return result
    }
}
