/// An IPv4 or IPv6 address or prefix by which the router and the portal recognise a service
/// (`192.0.2.7`, `192.0.2.0/28`, `2001:db8:1::/48`). A bare address is a full-length prefix.
///
/// Parsed by hand so the core needs neither Foundation nor libc. Host bits below the prefix
/// length must be zero (`192.0.2.1/24` is rejected), so two spellings never mean one network.
public struct IPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Family: Int, Sendable, Comparable {
        case ipv4 = 4
        case ipv6 = 6
        public static func < (a: Family, b: Family) -> Bool { a.rawValue < b.rawValue }
    }

    public let family: Family
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]
    public let length: Int

    public init(family: Family, bytes: [UInt8], length: Int) throws(AddressError) {
        let width = family == .ipv4 ? 4 : 16
        guard bytes.count == width, (0...width * 8).contains(length) else {
            throw AddressError.malformed(String(describing: bytes))
        }
        self.family = family
        self.bytes = bytes
        self.length = length
        if Self.masked(bytes, length) != bytes { throw AddressError.hostBitsSet(description) }
    }

    /// Parses `address` or `address/length`.
    public init(_ text: String) throws(AddressError) {
        let trimmed = text.trimmingSpaces
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, !parts[0].isEmpty else { throw .malformed(text) }
        let address = String(parts[0])
        let family: Family
        let bytes: [UInt8]
        if address.contains(":") {
            guard let b = Self.parseIPv6(address) else { throw .malformed(text) }
            family = .ipv6
            bytes = b
        } else {
            guard let b = Self.parseIPv4(address) else { throw .malformed(text) }
            family = .ipv4
            bytes = b
        }
        var length = bytes.count * 8
        if parts.count == 2 {
            guard let n = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit), (0...length).contains(n) else {
                throw .malformed(text)
            }
            length = n
        }
        try self.init(family: family, bytes: bytes, length: length)
    }

    public var isSingleAddress: Bool { length == bytes.count * 8 }

    /// The first address after the prefix (exclusive end), or nil when the prefix reaches the top
    /// of the address space. Interval sets in nftables are stored as [start, end).
    public var endBytes: [UInt8]? {
        var out = bytes
        // Set host bits to one, then add one.
        for i in 0..<out.count {
            let bitStart = i * 8
            if bitStart >= length {
                out[i] = 0xFF
            } else if bitStart + 8 > length {
                out[i] |= UInt8(0xFF >> (length - bitStart))
            }
        }
        var i = out.count - 1
        while i >= 0 {
            if out[i] == 0xFF {
                out[i] = 0
                i -= 1
            } else {
                out[i] += 1
                return out
            }
        }
        return nil
    }

    public func contains(_ other: IPPrefix) -> Bool {
        family == other.family && other.length >= length && Self.masked(other.bytes, length) == bytes
    }

    public func overlaps(_ other: IPPrefix) -> Bool { contains(other) || other.contains(self) }

    public var description: String {
        let address = family == .ipv4 ? bytes.map(String.init).joined(separator: ".") : Self.formatIPv6(bytes)
        return isSingleAddress ? address : "\(address)/\(length)"
    }

    public static func < (a: IPPrefix, b: IPPrefix) -> Bool {
        if a.family != b.family { return a.family < b.family }
        if a.bytes != b.bytes { return a.bytes.lexicographicallyPrecedes(b.bytes) }
        return a.length < b.length
    }

    /// `bytes` with every bit below `length` cleared.
    public static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        var out = bytes
        for i in 0..<out.count {
            let bitStart = i * 8
            if bitStart >= length {
                out[i] = 0
            } else if bitStart + 8 > length {
                out[i] &= ~UInt8(0xFF >> (length - bitStart))
            }
        }
        return out
    }

    static func parseIPv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCIIDigit), let v = UInt8(p) else { return nil }
            guard p.count == 1 || p.first != "0" else { return nil }  // no octal-looking octets
            out.append(v)
        }
        return out
    }

    static func parseIPv6(_ s: String) -> [UInt8]? {
        var text = Substring(s)
        var tail: [UInt8] = []
        // An embedded IPv4 suffix (::ffff:192.0.2.1).
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseIPv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let v = UInt16(g, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            let all = head + tail
            return all.count == 16 ? all : nil
        }
        guard let rest = groups(halves[1]) else { return nil }
        let used = head.count + rest.count + tail.count
        guard used <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - used) + rest + tail
    }

    /// RFC 5952 text: lower case, longest run of two or more zero groups shortened to `::`.
    static func formatIPv6(_ b: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

/// Why an address was refused.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case hostBitsSet(String)

    public var description: String {
        switch self {
        case .malformed(let s): "'\(s)' is not an IPv4 or IPv6 address or prefix"
        case .hostBitsSet(let s): "'\(s)' has bits set below its prefix length"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    /// Splits on a multi-character separator without Foundation.
    func components(separatedBy separator: String) -> [Substring] {
        var out: [Substring] = []
        var rest = self[...]
        while let r = rest.firstRange(of: separator) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        out.append(rest)
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
