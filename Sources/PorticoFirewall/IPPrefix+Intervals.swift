import PorticoCore

/// Interval-set helpers: nftables stores a prefix as the half-open range [start, end), sent as a
/// start element and an end element flagged `NFT_SET_ELEM_INTERVAL_END` (no end element when the
/// range reaches the top of the address space).
extension IPPrefix {
    /// Sorted, without duplicates and without prefixes covered by another one: the kernel refuses
    /// overlapping intervals in one set, so a set is always loaded from this form.
    static func normalized(_ prefixes: [IPPrefix]) -> [IPPrefix] {
        var out: [IPPrefix] = []
        out.reserveCapacity(prefixes.count)
        // Sorted by family, then address, then length: a covering prefix comes before what it covers.
        for p in prefixes.sorted() {
            if let last = out.last, last.contains(p) { continue }
            out.append(p)
        }
        return out
    }

    var width: Int { family == .ipv4 ? 32 : 128 }

    var startValue: UInt128 { Self.value(of: bytes) }

    static func value(of bytes: [UInt8]) -> UInt128 {
        var v: UInt128 = 0
        for b in bytes { v = v << 8 | UInt128(b) }
        return v
    }

    static func bytes(of value: UInt128, family: Family) -> [UInt8] {
        let count = family == .ipv4 ? 4 : 16
        return (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - $0))) }
    }

    /// The fewest prefixes covering exactly [start, end) (end nil: to the top of the space).
    static func covering(start: UInt128, end: UInt128?, family: Family) -> [IPPrefix] {
        let width = family == .ipv4 ? 32 : 128
        let top: UInt128 = width == 128 ? UInt128.max : (UInt128(1) << 32) - 1
        // Work with an inclusive last address so the top of the space needs no special case.
        guard let lastInclusive = end.map({ $0 &- 1 }) ?? Optional(top), end.map({ $0 > start }) ?? true else {
            return []
        }
        var out: [IPPrefix] = []
        var current = start
        while true {
            // The largest block aligned at `current` that does not pass `lastInclusive`.
            var size = current == 0 ? width : min(current.trailingZeroBitCount, width)
            while size > 0 {
                let blockLast = current &+ ((UInt128(1) << size) &- 1)
                if blockLast >= current && blockLast <= lastInclusive { break }
                size -= 1
            }
            // Bytes come from a value inside the space, so the prefix is always valid.
            if let p = try? IPPrefix(family: family, bytes: bytes(of: current, family: family), length: width - size) {
                out.append(p)
            }
            let blockLast = size == 128 ? UInt128.max : current &+ ((UInt128(1) << size) &- 1)
            if blockLast >= lastInclusive { break }
            current = blockLast &+ 1
        }
        return out
    }
}
