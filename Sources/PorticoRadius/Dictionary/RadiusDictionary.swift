/// How an attribute's value is written as text (the types of FreeRADIUS dictionaries).
public enum AttributeValueType: String, Sendable {
    case string
    case octets
    case integer
    case ipaddr
    /// Seconds since 1970 as a 32-bit integer.
    case date
}

/// One attribute's name, key, value type and enumerated value names.
public struct AttributeDefinition: Sendable, Hashable {
    public let name: String
    public let key: AttributeKey
    public let type: AttributeValueType
    /// Names of integer values (e.g. Acct-Status-Type "Start" = 1).
    public let values: [String: UInt32]

    public init(_ name: String, _ key: AttributeKey, _ type: AttributeValueType, values: [String: UInt32] = [:]) {
        self.name = name
        self.key = key
        self.type = type
        self.values = values
    }
}

/// Why a named attribute or its text value could not be made.
public enum RadiusDictionaryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownAttribute(String)
    case invalidValue(attribute: String, value: String, expected: AttributeValueType)
    case valueTooLong(attribute: String, length: Int)

    public var description: String {
        switch self {
        case .unknownAttribute(let name): "unknown RADIUS attribute \"\(name)\""
        case .invalidValue(let attribute, let value, let expected):
            "\"\(value)\" is not a valid \(expected.rawValue) value for \(attribute)"
        case .valueTooLong(let attribute, let length): "value of \(attribute) is \(length) octets, too long"
        }
    }
}

/// The attributes Portico reads and writes, by the names FreeRADIUS uses, so the configuration
/// can name them ("Mikrotik-Rate-Limit" = "10M/20M") and logs can show them.
public struct RadiusDictionary: Sendable {
    private var byName: [String: AttributeDefinition] = [:]
    private var byKey: [AttributeKey: AttributeDefinition] = [:]

    public init(_ definitions: [AttributeDefinition]) {
        for definition in definitions { add(definition) }
    }

    /// A copy with more (or replaced) definitions, e.g. another vendor's attributes.
    public func adding(_ definitions: [AttributeDefinition]) -> RadiusDictionary {
        var copy = self
        for definition in definitions { copy.add(definition) }
        return copy
    }

    private mutating func add(_ definition: AttributeDefinition) {
        byName[definition.name.lowercased()] = definition
        byKey[definition.key] = definition
    }

    /// The definition of `name`, ignoring ASCII case as FreeRADIUS does.
    public func definition(named name: String) -> AttributeDefinition? { byName[name.lowercased()] }

    public func definition(for key: AttributeKey) -> AttributeDefinition? { byKey[key] }

    /// The attribute `name` with the value written as text: a string as UTF-8, an integer in
    /// decimal or by its value name, an IPv4 address in dotted quads, a date as seconds since
    /// 1970, octets as `0x` and hex digits.
    public func attribute(named name: String, value text: String) throws(RadiusDictionaryError) -> RadiusAttribute {
        guard let definition = definition(named: name) else { throw .unknownAttribute(name) }
        let invalid = RadiusDictionaryError.invalidValue(
            attribute: definition.name, value: text, expected: definition.type)
        let attribute: RadiusAttribute
        switch definition.type {
        case .string:
            attribute = .text(definition.key, text)
        case .octets:
            guard let bytes = Self.hexBytes(text) else { throw invalid }
            attribute = RadiusAttribute(definition.key, bytes)
        case .integer, .date:
            guard let value = definition.values[text] ?? Self.decimal(text) else { throw invalid }
            attribute = .integer(definition.key, value)
        case .ipaddr:
            guard let made = RadiusAttribute.ipv4(definition.key, text) else { throw invalid }
            attribute = made
        }
        let limit =
            definition.key.vendor == 0 ? RadiusAttribute.maximumStandardValue : RadiusAttribute.maximumVendorValue
        guard attribute.value.count <= limit else {
            throw .valueTooLong(attribute: definition.name, length: attribute.value.count)
        }
        return attribute
    }

    /// The attribute as `Name = value` for a log line (unknown ones as `Attr-N = 0x…`).
    public func text(of attribute: RadiusAttribute) -> String {
        guard let definition = definition(for: attribute.key) else {
            return "\(attribute.key) = 0x\(Self.hex(attribute.value))"
        }
        return "\(definition.name) = \(valueText(attribute, definition))"
    }

    private func valueText(_ attribute: RadiusAttribute, _ definition: AttributeDefinition) -> String {
        switch definition.type {
        case .string:
            if let text = attribute.textValue { return "\"\(text)\"" }
        case .integer, .date:
            if let value = attribute.integerValue {
                return definition.values.first { $0.value == value }?.key ?? String(value)
            }
        case .ipaddr:
            if let text = attribute.ipv4Value { return text }
        case .octets:
            break
        }
        return "0x" + Self.hex(attribute.value)
    }

    private static func decimal(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt32(text)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let digits = Array(text.utf8.dropFirst(2))
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
