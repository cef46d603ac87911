/// The request target (RFC 9112 §3.2) split into a decoded path and a raw query.
struct RequestTarget: Equatable {
    /// Percent-decoded path, without the query.
    var path: String
    /// The query after `?`, as sent (not decoded); "" when there is none.
    var rawQuery: String

    /// Why a target was refused; each becomes a `400`.
    enum Failure: Error, Equatable {
        case malformedEscape
        case invalidUTF8
        case nulByte
        case unsupportedForm
        /// A raw space, control character or DEL (`RequestFraming.targetHasForbiddenByte`).
        case forbiddenByte
    }

    /// Parses origin-form (`/a/b?x=1`), absolute-form (`http://host/a?x=1`, as sent to a
    /// proxy, which redirected captive traffic sometimes is) and asterisk-form (`*`).
    static func parse(_ raw: [UInt8]) throws(Failure) -> RequestTarget {
        var start = 0
        if RequestFraming.targetHasForbiddenByte(raw) { throw .forbiddenByte }
        if raw == [UInt8(ascii: "*")] { return RequestTarget(path: "*", rawQuery: "") }
        if raw.first != UInt8(ascii: "/") {
            guard let authorityStart = schemeLength(raw) else { throw .unsupportedForm }
            var index = authorityStart
            while index < raw.count && raw[index] != UInt8(ascii: "/") && raw[index] != UInt8(ascii: "?") {
                index += 1
            }
            start = index
        }
        let question = raw[start...].firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = raw[start..<(question ?? raw.count)]
        let queryBytes = question.map { raw[($0 + 1)...] } ?? []

        // Nearly every path is plain ASCII without escapes: no decoding buffer, no validation.
        if !pathBytes.isEmpty, pathBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") }) {
            return RequestTarget(
                path: String(decoding: pathBytes, as: UTF8.self), rawQuery: String(decoding: queryBytes, as: UTF8.self))
        }
        let decoded: [UInt8]
        do {
            decoded = try PercentDecoding.decode(pathBytes, plusAsSpace: false, mode: .strict)
        } catch {
            throw .malformedEscape
        }
        if decoded.contains(0) { throw .nulByte }
        guard let path = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        let rawQuery = String(decoding: queryBytes, as: UTF8.self)
        return RequestTarget(path: path.isEmpty ? "/" : path, rawQuery: rawQuery)
    }

    /// Length of a leading `http://` or `https://` (any case), or nil.
    private static func schemeLength(_ raw: [UInt8]) -> Int? {
        for scheme in ["http://", "https://"] {
            let bytes = Array(scheme.utf8)
            if raw.count >= bytes.count
                && zip(raw, bytes).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 })
            {
                return bytes.count
            }
        }
        return nil
    }
}
