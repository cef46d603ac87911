/// A strict RFC 8259 syntax check of a request body, run before Foundation reads it.
///
/// Kept beside Foundation's parsers (not replaced by their errors) because on Swift 6.3.1 both
/// `JSONSerialization` and `JSONDecoder` accept trailing commas (`{"amount":1,}`); with a
/// repeated key `JSONSerialization` keeps the last value and `JSONDecoder` the first, so the key
/// check and the decoder would see different bodies; and `JSONDecoder` accepts a lone surrogate
/// and raw control characters that `JSONSerialization` refuses. Refusing all of them here means
/// every later step reads one meaning. (Depth is not a reason: both refuse past 512 levels.)
/// `FoundationJSONTests` pins each of these; when one fails, this checker may shrink.
struct APIJSONSyntax {
    struct Failure: Error {
        var message: String
    }

    private let bytes: [UInt8]
    private var i = 0
    /// Deeper than any body of this API needs; bounds the recursion.
    private static let maxDepth = 32

    /// Throws `Failure` saying what is wrong and where (byte offset, key path).
    static func check(_ bytes: [UInt8]) throws(Failure) {
        var scanner = APIJSONSyntax(bytes: bytes)
        scanner.whitespace()
        try scanner.value(depth: 0, path: "")
        scanner.whitespace()
        if scanner.i != bytes.count { throw scanner.fail("unexpected text after the JSON value") }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ why: String) -> Failure { Failure(message: "\(why) at byte \(i)") }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func whitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws(Failure) {
        guard current == c else { throw fail("expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    private mutating func value(depth: Int, path: String) throws(Failure) {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        guard let c = current else { throw fail("unexpected end of the body") }
        switch c {
        case UInt8(ascii: "{"): try object(depth: depth, path: path)
        case UInt8(ascii: "["): try array(depth: depth, path: path)
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw fail("expected a JSON value")
        }
    }

    private mutating func object(depth: Int, path: String) throws(Failure) {
        i += 1
        whitespace()
        if current == UInt8(ascii: "}") {
            i += 1
            return
        }
        var keys: Set<String> = []
        while true {
            whitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
            let key = try string()
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard keys.insert(key).inserted else { throw Failure(message: "the key '\(keyPath)' appears twice") }
            whitespace()
            try expect(UInt8(ascii: ":"))
            whitespace()
            try value(depth: depth + 1, path: keyPath)
            whitespace()
            if current == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    private mutating func array(depth: Int, path: String) throws(Failure) {
        i += 1
        whitespace()
        if current == UInt8(ascii: "]") {
            i += 1
            return
        }
        var index = 0
        while true {
            whitespace()
            try value(depth: depth + 1, path: "\(path)[\(index)]")
            index += 1
            whitespace()
            if current == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for c in word.utf8 {
            guard current == c else { throw fail("expected \(word)") }
            i += 1
        }
    }

    private mutating func digits() throws(Failure) {
        guard let c = current, (0x30...0x39).contains(c) else { throw fail("expected a digit") }
        while let c = current, (0x30...0x39).contains(c) { i += 1 }
    }

    private mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { i += 1 }
        if current == UInt8(ascii: "0") {
            i += 1
        } else {
            try digits()
        }
        if current == UInt8(ascii: ".") {
            i += 1
            try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            try digits()
        }
    }

    /// Reads a string and returns it decoded (so `"a"` and `"\u0061"` are the same key).
    private mutating func string() throws(Failure) -> String {
        i += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while true {
            guard let c = current else { throw fail("unterminated string") }
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                guard let e = current else { throw fail("unterminated string") }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(UnicodeScalar(e))
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var unit = try hex4()
                    if (0xD800...0xDBFF).contains(unit), current == UInt8(ascii: "\\"),
                        i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u")
                    {
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = UnicodeScalar(unit) else { throw fail("invalid \\u escape") }
                    scalars.append(scalar)
                default:
                    throw fail("invalid escape")
                }
            case 0x00..<0x20:
                throw fail("control character in a string")
            default:
                raw.append(c)
            }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw fail("invalid \\u escape") }
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
