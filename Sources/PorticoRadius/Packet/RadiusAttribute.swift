/// Which attribute: a standard type (RFC 2865 §5), or a vendor's type inside Vendor-Specific (26)
/// in the format RFC 2865 §5.26 suggests (vendor type, vendor length, value).
public struct AttributeKey: Hashable, Sendable, CustomStringConvertible {
    /// The SMI Private Enterprise Code; 0 for a standard attribute.
    public let vendor: UInt32
    public let type: UInt8

    public init(vendor: UInt32 = 0, type: UInt8) {
        self.vendor = vendor
        self.type = type
    }

    /// A standard attribute's key.
    public static func standard(_ type: UInt8) -> AttributeKey { AttributeKey(type: type) }

    /// A vendor attribute's key, e.g. `.vendor(14988, 8)` for Mikrotik-Rate-Limit.
    public static func vendor(_ vendor: UInt32, _ type: UInt8) -> AttributeKey {
        AttributeKey(vendor: vendor, type: type)
    }

    /// "Attr-8" or "Vendor-14988-Attr-8" (FreeRADIUS spells unknown attributes the same way).
    public var description: String { vendor == 0 ? "Attr-\(type)" : "Vendor-\(vendor)-Attr-\(type)" }

    /// Vendor-Specific (26): the container of vendor attributes.
    public static let vendorSpecificType: UInt8 = 26
    /// Message-Authenticator (80, RFC 3579 §3.2): always 16 octets.
    public static let messageAuthenticator = AttributeKey.standard(80)
}

/// One attribute: its key and its value's octets as they go on the wire.
public struct RadiusAttribute: Hashable, Sendable {
    public var key: AttributeKey
    public var value: [UInt8]

    public init(_ key: AttributeKey, _ value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// The longest value of a standard attribute (255 less type and length).
    public static let maximumStandardValue = 253
    /// The longest value of a vendor attribute (the VSA header of 6 octets and the vendor
    /// attribute's own 2 come out of the 255).
    public static let maximumVendorValue = 247

    /// A text value (RFC 8044 "text"/"string"): its UTF-8 octets.
    public static func text(_ key: AttributeKey, _ text: String) -> RadiusAttribute {
        RadiusAttribute(key, Array(text.utf8))
    }

    /// A 32-bit unsigned integer (also "enum" and "time"), big-endian.
    public static func integer(_ key: AttributeKey, _ value: UInt32) -> RadiusAttribute {
        RadiusAttribute(
            key, [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)])
    }

    /// An IPv4 address from dotted-quad text; nil when the text is not one.
    public static func ipv4(_ key: AttributeKey, _ address: String) -> RadiusAttribute? {
        IPv4Text.parse(address).map { RadiusAttribute(key, $0) }
    }

    /// The value as UTF-8 text, or nil when it is not valid UTF-8.
    public var textValue: String? { String(validating: value, as: UTF8.self) }

    /// The value as a 32-bit integer, or nil when it is not exactly 4 octets.
    public var integerValue: UInt32? {
        guard value.count == 4 else { return nil }
        return value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The value as dotted-quad text, or nil when it is not exactly 4 octets.
    public var ipv4Value: String? {
        value.count == 4 ? value.map(String.init).joined(separator: ".") : nil
    }
}

/// Dotted-quad IPv4 text, strictly: four decimal octets 0...255 without leading zeros or signs.
enum IPv4Text {
    static func parse(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || !part.hasPrefix("0"), let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }
}
