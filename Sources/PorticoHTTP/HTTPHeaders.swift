/// Request header fields in the order received, with case-insensitive lookup by name.
public struct HTTPHeaders: Sendable, Sequence {
    /// All fields in order; repeated names are kept.
    public private(set) var fields: [(name: String, value: String)]

    /// Headers from name/value pairs, in the given order.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The first value of `name`, compared without regard to ASCII case; nil if absent.
    public subscript(_ name: String) -> String? {
        for field in fields where Self.equalIgnoringASCIICase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value of `name`, in order, compared without regard to ASCII case.
    public func values(for name: String) -> [String] {
        fields.filter { Self.equalIgnoringASCIICase($0.name, name) }.map(\.value)
    }

    /// Appends a field.
    public mutating func append(name: String, value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        // Native strings are contiguous UTF-8: compare the bytes directly (every request looks
        // up Host and Content-Length this way).
        if let equal = lhs.utf8.withContiguousStorageIfAvailable({ left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                for i in 0..<left.count where left[i] != right[i] {
                    guard lowercased(left[i]) == lowercased(right[i]) else { return false }
                }
                return true
            }
        }), let equal {
            return equal
        }
        for (a, b) in zip(lhs.utf8, rhs.utf8) where a != b {
            guard lowercased(a) == lowercased(b) else { return false }
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
