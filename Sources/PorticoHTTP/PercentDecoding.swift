/// Percent-decoding of URL paths, query strings and form bodies, shared by the request parsers.
///
/// Works on bytes so that the per-request path needs no Foundation.
enum PercentDecoding {
    /// What to do with a `%` not followed by two hex digits.
    enum Mode {
        /// Fail: used for paths and form bodies, where a malformed escape is a client error.
        case strict
        /// Keep the bytes as they are: used for query strings, so a sloppy query on a
        /// redirected foreign request still reaches the handler.
        case lenient
    }

    /// Offset of the first malformed escape in the input.
    struct MalformedEscape: Error {
        let offset: Int
    }

    /// Decodes `%XX` escapes in `bytes`; with `plusAsSpace`, `+` becomes a space
    /// (application/x-www-form-urlencoded).
    static func decode<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, plusAsSpace: Bool, mode: Mode
    ) throws(MalformedEscape) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        var offset = 0
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex, let high = hexValue(bytes[first]) {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let low = hexValue(bytes[second]) {
                        output.append(high << 4 | low)
                        index = bytes.index(after: second)
                        offset += 3
                        continue
                    }
                }
                if mode == .strict { throw MalformedEscape(offset: offset) }
                output.append(byte)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
            offset += 1
        }
        return output
    }

    /// Decodes and returns a string, or nil for a malformed escape or invalid UTF-8.
    static func decodeString<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, plusAsSpace: Bool, mode: Mode
    ) -> String? {
        guard let decoded = try? decode(bytes, plusAsSpace: plusAsSpace, mode: mode) else { return nil }
        return String(validating: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
