/// Why a request body could not be read as an HTML form.
public enum FormDecodingError: Error, Equatable, CustomStringConvertible {
    /// The request declares a `Content-Type` other than application/x-www-form-urlencoded.
    case unsupportedContentType(String)
    /// A `%` at `offset` (bytes into the body) is not followed by two hex digits.
    case malformedEscape(offset: Int)
    /// A decoded name or value is not valid UTF-8; `offset` is where its field starts.
    case invalidUTF8(offset: Int)

    public var description: String {
        switch self {
        case .unsupportedContentType(let type):
            return "expected an application/x-www-form-urlencoded body, got \(type)"
        case .malformedEscape(let offset):
            return "malformed percent-escape at byte \(offset) of the form body"
        case .invalidUTF8(let offset):
            return "form field at byte \(offset) is not valid UTF-8"
        }
    }
}

/// A parser for application/x-www-form-urlencoded data (HTML forms and query strings).
///
/// Unlike libmicrohttpd's post processor it keeps fields with empty values (`a=`) and keys
/// without `=` (`b`, value ""); empty segments (`&&`) are skipped.
enum FormDecoder {
    /// Name/value pairs in order, repeats kept.
    static func pairs(
        _ bytes: [UInt8], mode: PercentDecoding.Mode
    ) throws(FormDecodingError) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                result.append(try field(bytes, start..<end, mode: mode))
            }
            start = end + 1
        }
        return result
    }

    private static func field(
        _ bytes: [UInt8], _ range: Range<Int>, mode: PercentDecoding.Mode
    ) throws(FormDecodingError) -> (name: String, value: String) {
        let segment = bytes[range]
        let equals = segment.firstIndex(of: UInt8(ascii: "="))
        let nameBytes = segment[..<(equals ?? range.upperBound)]
        let valueBytes = equals.map { segment[($0 + 1)...] } ?? bytes[range.upperBound..<range.upperBound]
        return (
            try text(nameBytes, offset: range.lowerBound, mode: mode),
            try text(valueBytes, offset: valueBytes.startIndex, mode: mode)
        )
    }

    private static func text(
        _ bytes: ArraySlice<UInt8>, offset: Int, mode: PercentDecoding.Mode
    ) throws(FormDecodingError) -> String {
        let decoded: [UInt8]
        do {
            decoded = try PercentDecoding.decode(bytes, plusAsSpace: true, mode: mode)
        } catch {
            throw .malformedEscape(offset: offset + error.offset)
        }
        if let string = String(validating: decoded, as: UTF8.self) { return string }
        if mode == .lenient { return String(decoding: decoded, as: UTF8.self) }
        throw .invalidUTF8(offset: offset)
    }
}
