/// A value read from Portico's TOML configuration file.
public enum TOMLValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .integer(let i): "\(i)"
        case .float(let d): "\(d)"
        case .bool(let b): "\(b)"
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// A word for error messages: "a string", "an integer", …
    var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number with a fraction"
        case .bool: "true or false"
        case .array: "a list"
        }
    }
}

/// A TOML syntax error, with the line (1-based) it was found on.
public struct TOMLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A parsed TOML document, flattened: every leaf value under its dotted key (`portal.listen`),
/// with the line it was set on, so a configuration error can point at the line to fix.
///
/// Portico reads TOML 1.0 except what its configuration never needs: dates and times and
/// arrays of tables (`[[x]]`) are refused with an error naming the line.
///
/// Written here rather than taken from TOMLKit (LebJe/TOMLKit 0.6.0, on this machine) because
/// TOMLKit cannot say which line a value is on, and an operator editing
/// `/etc/portico/portico.toml` over SSH is told the line to fix (`portico.toml:23: portal.listen:
/// …`). toml++ underneath records a source region per node, but TOMLKit's `TOMLValue` and
/// `TOMLTable` hold only an opaque pointer, and its C layer (CTOML.h) exposes a position only in
/// `CTOMLParseError`: syntax errors get a line, a well-formed but wrong value does not. Its
/// tables also iterate in key order, not file order, so "the first problem in the file" is lost.
/// `bench/probes/toml-line-probe/run.sh` shows both (its output for `[admin] listen =
/// "localhost"`: the value and type, stored properties `tomlValuePointer: OpaquePointer` and
/// `tomlInt`, keys `["alpha", "mid", "zeta"]` for a file written zeta, alpha, mid). TOMLKit would
/// also add about 22 CPU-seconds (toml++ is C++) to every clean debug build, measured there.
public struct TOMLDocument: Sendable {
    public struct Entry: Sendable, Equatable {
        public var value: TOMLValue
        public var line: Int
    }

    /// Leaf values by dotted key.
    public private(set) var entries: [String: Entry] = [:]
    /// Tables by dotted name (`[portal]`, and the parents of dotted keys), with the line that
    /// opened them.
    public private(set) var tables: [String: Int] = [:]
    /// Keys in the order they appear.
    public private(set) var order: [String] = []

    public init(parsing text: String) throws(TOMLSyntaxError) {
        var parser = TOMLParser(text)
        try parser.parseDocument(into: &self)
    }

    fileprivate mutating func define(_ path: [String], _ value: TOMLValue, line: Int) throws(TOMLSyntaxError) {
        let key = path.joined(separator: ".")
        for i in 1..<max(path.count, 1) {
            let parent = path[..<i].joined(separator: ".")
            if entries[parent] != nil {
                throw TOMLSyntaxError(line: line, message: "'\(parent)' is a value, not a table")
            }
            if tables[parent] == nil { tables[parent] = line }
        }
        if let previous = entries[key] {
            throw TOMLSyntaxError(line: line, message: "'\(key)' is already set on line \(previous.line)")
        }
        if tables[key] != nil { throw TOMLSyntaxError(line: line, message: "'\(key)' is a table, not a value") }
        entries[key] = Entry(value: value, line: line)
        order.append(key)
    }

    fileprivate mutating func openTable(_ path: [String], line: Int, explicit: Set<String>) throws(TOMLSyntaxError) {
        let key = path.joined(separator: ".")
        if explicit.contains(key) { throw TOMLSyntaxError(line: line, message: "table [\(key)] is defined twice") }
        for i in 1...path.count {
            let name = path[..<i].joined(separator: ".")
            if let value = entries[name] {
                throw TOMLSyntaxError(line: line, message: "'\(name)' is already a value (line \(value.line))")
            }
            if tables[name] == nil { tables[name] = line }
        }
    }
}

/// A recursive-descent reader over the document's Unicode scalars.
private struct TOMLParser {
    let s: [Unicode.Scalar]
    var i = 0
    var line = 1

    init(_ text: String) { s = Array(text.unicodeScalars) }

    var atEnd: Bool { i >= s.count }
    var current: Unicode.Scalar? { i < s.count ? s[i] : nil }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

    func error(_ message: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, message: message) }

    mutating func advance() {
        if s[i] == "\n" { line += 1 }
        i += 1
    }

    mutating func skipSpaces() {
        while let c = current, c == " " || c == "\t" { i += 1 }
    }

    mutating func skipComment() throws(TOMLSyntaxError) {
        guard current == "#" else { return }
        while let c = current, c != "\n" {
            if c != "\t" && c.value < 0x20 && c != "\r" || c.value == 0x7f {
                throw error("control character in a comment")
            }
            i += 1
        }
    }

    /// Spaces, a comment, then the end of the line (or of the file).
    mutating func endOfLine() throws(TOMLSyntaxError) {
        skipSpaces()
        try skipComment()
        if current == "\r" && peek(1) == "\n" { i += 1 }
        guard atEnd || current == "\n" else { throw error("unexpected '\(current!)' after the value") }
        if !atEnd { advance() }
    }

    /// Blank lines, comments and newlines inside arrays.
    mutating func skipBlankAndComments() throws(TOMLSyntaxError) {
        while let c = current {
            if c == " " || c == "\t" || c == "\r" || c == "\n" {
                advance()
            } else if c == "#" {
                try skipComment()
            } else {
                return
            }
        }
    }

    mutating func parseDocument(into doc: inout TOMLDocument) throws(TOMLSyntaxError) {
        var prefix: [String] = []
        var explicitTables: Set<String> = []
        while true {
            try skipBlankAndComments()
            guard let c = current else { return }
            if c == "[" {
                if peek(1) == "[" { throw error("arrays of tables ([[…]]) are not used in Portico's configuration") }
                i += 1
                skipSpaces()
                let path = try parseKey()
                skipSpaces()
                guard current == "]" else { throw error("expected ']' to close the table name") }
                i += 1
                try doc.openTable(path, line: line, explicit: explicitTables)
                explicitTables.insert(path.joined(separator: "."))
                prefix = path
                try endOfLine()
            } else {
                let keyLine = line
                let path = try parseKey()
                skipSpaces()
                guard current == "=" else { throw error("expected '=' after the key '\(path.joined(separator: "."))'") }
                i += 1
                skipSpaces()
                try parseValue(into: &doc, path: prefix + path, line: keyLine)
                try endOfLine()
            }
        }
    }

    /// A value; inline tables are flattened into dotted keys.
    mutating func parseValue(into doc: inout TOMLDocument, path: [String], line keyLine: Int) throws(TOMLSyntaxError) {
        if current == "{" {
            i += 1
            skipSpaces()
            if current == "}" {
                i += 1
                return
            }
            while true {
                skipSpaces()
                let sub = try parseKey()
                skipSpaces()
                guard current == "=" else { throw error("expected '=' in the inline table") }
                i += 1
                skipSpaces()
                try parseValue(into: &doc, path: path + sub, line: keyLine)
                skipSpaces()
                if current == "," {
                    i += 1
                } else if current == "}" {
                    i += 1
                    return
                } else {
                    throw error("expected ',' or '}' in the inline table")
                }
            }
        }
        try doc.define(path, parseSimpleValue(), line: keyLine)
    }

    mutating func parseSimpleValue() throws(TOMLSyntaxError) -> TOMLValue {
        guard let c = current else { throw error("a value is missing") }
        switch c {
        case "\"", "'": return .string(try parseString())
        case "[": return try parseArray()
        case "{": throw error("inline tables inside lists are not used in Portico's configuration")
        case "t", "f":
            if matches("true") {
                i += 4
                return .bool(true)
            }
            if matches("false") {
                i += 5
                return .bool(false)
            }
            throw error("expected a value (strings need quotes)")
        default: return try parseNumber()
        }
    }

    func matches(_ word: String) -> Bool {
        for (k, w) in word.unicodeScalars.enumerated() where peek(k) != w { return false }
        return true
    }

    mutating func parseArray() throws(TOMLSyntaxError) -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlankAndComments()
            if current == "]" {
                i += 1
                return .array(items)
            }
            items.append(try parseSimpleValue())
            try skipBlankAndComments()
            if current == "," {
                i += 1
            } else if current == "]" {
                i += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']' in the list")
            }
        }
    }

    mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue {
        var text = ""
        while let c = current, !" \t\r\n,]}#".unicodeScalars.contains(c) {
            text.unicodeScalars.append(c)
            i += 1
        }
        if text.isEmpty { throw error("a value is missing") }
        let digitsOnly = text.unicodeScalars.first.map { ("0"..."9").contains($0) } ?? false
        if digitsOnly && (text.contains(":") || text.dropFirst(4).hasPrefix("-")) {
            throw error("dates and times are not used in Portico's configuration; write '\(text)' as a string")
        }
        var body = Substring(text)
        var sign = 1
        if body.first == "+" || body.first == "-" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        func validUnderscores(_ t: Substring) -> Bool {
            !t.hasPrefix("_") && !t.hasSuffix("_") && !t.contains("__")
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            let digits = body.dropFirst(2)
            guard sign == 1, text.first != "+", validUnderscores(digits),
                let v = Int(digits.replacingOccurrences("_", ""), radix: radix)
            else { throw error("'\(text)' is not a number") }
            return .integer(v)
        }
        if body == "inf" { return .float(Double(sign) * .infinity) }
        if body == "nan" { return .float(.nan) }
        guard validUnderscores(body) else { throw error("'\(text)' is not a number") }
        let plain = body.replacingOccurrences("_", "")
        if plain.count > 1 && plain.hasPrefix("0") && plain.dropFirst().first?.isNumber == true {
            throw error("'\(text)': leading zeros are not allowed")
        }
        if plain.allSatisfy(\.isASCIIDigit), !plain.isEmpty {
            guard let v = Int(plain) else { throw error("'\(text)' is too large") }
            return .integer(sign * v)
        }
        guard plain.first?.isASCIIDigit == true, plain.last?.isASCIIDigit == true, let d = Double(plain) else {
            throw error("'\(text)' is not a value (strings need quotes)")
        }
        return .float(Double(sign) * d)
    }

    mutating func parseKey() throws(TOMLSyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = current else { throw error("a key is missing") }
            if c == "\"" || c == "'" {
                if peek(1) == c && peek(2) == c { throw error("a key cannot be a multi-line string") }
                parts.append(try parseString())
            } else {
                var name = ""
                while let c = current,
                    ("0"..."9").contains(c) || ("a"..."z").contains(c)
                        || ("A"..."Z").contains(c) || c == "_" || c == "-"
                {
                    name.unicodeScalars.append(c)
                    i += 1
                }
                if name.isEmpty { throw error("expected a key, found '\(c)'") }
                parts.append(name)
            }
            skipSpaces()
            guard current == "." else { return parts }
            i += 1
        }
    }

    mutating func parseString() throws(TOMLSyntaxError) -> String {
        let quote = current!
        if peek(1) == quote && peek(2) == quote { return try parseMultilineString(quote) }
        i += 1
        var out = ""
        while true {
            guard let c = current, c != "\n" else { throw error("the string is not closed on its line") }
            i += 1
            if c == quote { return out }
            if c == "\\" && quote == "\"" {
                out.unicodeScalars.append(try parseEscape())
            } else {
                if c.value < 0x20 && c != "\t" || c.value == 0x7f { throw error("control character in a string") }
                out.unicodeScalars.append(c)
            }
        }
    }

    mutating func parseMultilineString(_ quote: Unicode.Scalar) throws(TOMLSyntaxError) -> String {
        i += 3
        // A newline right after the opening quotes is not part of the string.
        if current == "\r" && peek(1) == "\n" { i += 1 }
        if current == "\n" { advance() }
        var out = ""
        while true {
            guard let c = current else { throw error("the multi-line string is not closed") }
            if c == quote && peek(1) == quote && peek(2) == quote {
                i += 3
                // Up to two more quotes belong to the string.
                var extra = 0
                while current == quote && extra < 2 {
                    out.unicodeScalars.append(quote)
                    i += 1
                    extra += 1
                }
                return out
            }
            if c == "\\" && quote == "\"" {
                i += 1
                // A backslash at the end of a line trims the newline and the following blanks.
                var j = i
                while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
                if j < s.count && (s[j] == "\n" || s[j] == "\r") {
                    i = j
                    while let w = current, w == " " || w == "\t" || w == "\n" || w == "\r" { advance() }
                } else {
                    out.unicodeScalars.append(try parseEscape())
                }
                continue
            }
            advance()
            out.unicodeScalars.append(c)
        }
    }

    /// After a backslash: `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`.
    mutating func parseEscape() throws(TOMLSyntaxError) -> Unicode.Scalar {
        guard let c = current else { throw error("the string is not closed") }
        i += 1
        switch c {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let n = c == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<n {
                guard let h = current, h.properties.isASCIIHexDigit else { throw error("\\\(c) needs \(n) hex digits") }
                hex.unicodeScalars.append(h)
                i += 1
            }
            guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                throw error("\\\(c)\(hex) is not a Unicode scalar")
            }
            return scalar
        default:
            throw error("unknown escape \\\(c)")
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        String(self.filter { $0 != target })
    }
}
