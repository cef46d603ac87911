/// The checks a request head must pass before anything answers it (RFC 9112 §3, §5, §6):
/// how its body is framed, the `Host` field, and the bytes of field names and values.
///
/// libmicrohttpd 0.9.75 is lenient where a captive portal that faces every client must not
/// be: it serves a request that carries both `Content-Length` and `Transfer-Encoding` by the
/// chunked framing and keeps the connection open (so a front end that reads the length sees a
/// second, smuggled request); it waits for the close on an unknown transfer coding; it keeps
/// field names with odd bytes. `HTTPServer` feeds every field of a complete head to a
/// `RequestFraming` (in place, nothing copied) and refuses the request with `refusal(version:)`
/// before the fast path or the handler sees it, closing the connection.
///
/// A pure value: no I/O, fed byte buffers, so it is unit-tested and fuzzed without sockets.
struct RequestFraming {
    /// Why a head was refused: the status and the text the client gets.
    struct Refusal: Equatable, Sendable {
        var status: Int
        var message: String
    }

    private(set) var hostFields = 0
    private(set) var contentLengthFields = 0
    private(set) var transferEncodingFields = 0
    /// A `Content-Length` field whose value differs from the first one's.
    private(set) var conflictingLengths = false
    private var firstLength: [UInt8] = []
    /// The transfer codings named, in order, lowercased (`gzip`, `chunked`).
    private(set) var codings: [[UInt8]] = []
    /// The first field name that is not an RFC 9110 token (its bytes, for the message).
    private(set) var badName: [UInt8]?
    /// The name of the first field whose value holds a control byte other than HTAB.
    private(set) var badValue: [UInt8]?

    init() {}

    /// Takes one header field as libmicrohttpd parsed it (name without the colon, value
    /// without surrounding blanks).
    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if badName == nil, name.isEmpty || !name.allSatisfy(Self.isTokenByte) { badName = Array(name) }
        if badValue == nil, value.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            badValue = Array(name)
        }
        // Only the three names framing depends on are compared; most fields differ in length.
        switch name.count {
        case 4 where Self.equalsLowercased(name, "host"):
            hostFields += 1
        case 14 where Self.equalsLowercased(name, "content-length"):
            contentLengthFields += 1
            if contentLengthFields == 1 {
                firstLength = Array(value)
            } else if !value.elementsEqual(firstLength) {
                conflictingLengths = true
            }
        case 17 where Self.equalsLowercased(name, "transfer-encoding"):
            transferEncodingFields += 1
            for coding in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let trimmed = coding.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
                codings.append(trimmed.reversed().map { $0 | ($0 >= 65 && $0 <= 90 ? 0x20 : 0) })
            }
        default:
            break
        }
    }

    /// Takes one header field given as strings (tests, and heads already copied out).
    mutating func add(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in
            value.withUTF8 { v in add(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) }
        }
    }

    /// The answer to give instead of serving the request, or nil when the head is fine.
    /// `isHTTP11`: the request line says `HTTP/1.1` (else `HTTP/1.0`).
    func refusal(isHTTP11: Bool) -> Refusal? {
        func bad(_ text: String) -> Refusal { Refusal(status: 400, message: "Bad request: \(text)\n") }
        if let badName {
            return bad("the header name \"\(Self.printable(badName))\" is not a valid field name.")
        }
        if let badValue {
            return bad("the header \(Self.printable(badValue)) holds a control character.")
        }
        if hostFields > 1 { return bad("more than one Host header.") }
        if hostFields == 0 && isHTTP11 { return bad("an HTTP/1.1 request needs a Host header.") }
        if transferEncodingFields > 0 {
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing; §6.3:
            // with Content-Length as well it may be a smuggling attempt. Either way: refuse, close.
            if !isHTTP11 { return bad("Transfer-Encoding is not allowed in an HTTP/1.0 request.") }
            if contentLengthFields > 0 { return bad("the request has both Content-Length and Transfer-Encoding.") }
            if let unknown = codings.first(where: { $0 != Array("chunked".utf8) }) {
                let name = unknown.isEmpty ? "(empty)" : Self.printable(unknown)
                return Refusal(
                    status: 501,
                    message: "Not implemented: the transfer coding \"\(name)\" is not supported; "
                        + "send the body with Content-Length or chunked.\n")
            }
            if codings.count != 1 { return bad("chunked may be applied only once.") }
        }
        if conflictingLengths { return bad("the request has Content-Length headers that disagree.") }
        return nil
    }

    /// RFC 9110 §5.6.2 token characters, which field names are made of.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// True when the request target has a byte no target may hold: a control character (NUL
    /// included), DEL or a space. Browsers percent-encode all of them.
    static func targetHasForbiddenByte(_ raw: [UInt8]) -> Bool {
        raw.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    private static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { ($0 | ($0 >= 65 && $0 <= 90 ? 0x20 : 0)) == $1 }
        }
    }

    /// Bytes for a message: printable ASCII kept, anything else as `\xNN`, at most 40 bytes.
    static func printable(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes.prefix(40) {
            if byte >= 0x21 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return bytes.count > 40 ? out + "…" : out
    }
}
