// Query strings, form bodies and request targets: `FormDecoder`, `PercentDecoding`,
// `RequestTarget`, and what `HTTPRequest` builds from them.

import FuzzSupport
import PorticoWebSupport

@testable import PorticoHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    checkForm(bytes)
    checkTarget(bytes)
    checkRequest(bytes)
    return 0
}

/// `name=value` pairs percent-encoded with the product's encoder (every byte but unreserved).
private func encode(_ pairs: [(name: String, value: String)]) -> [UInt8] {
    Array(pairs.map { URLText.encode($0.name) + "=" + URLText.encode($0.value) }.joined(separator: "&").utf8)
}

private func same(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
}

private func checkForm(_ bytes: [UInt8]) {
    let lenient: [(name: String, value: String)]
    do {
        lenient = try FormDecoder.pairs(bytes, mode: .lenient)
    } catch {
        // Lenient decoding keeps malformed escapes and repairs invalid UTF-8: it cannot fail.
        require(false, "lenient decoding threw \(error)")
        return
    }
    // Every pair comes from a non-empty `&`-separated segment.
    let segments = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).count
    require(lenient.count == segments, "\(lenient.count) pairs from \(segments) segments")

    // Re-encoded and decoded strictly, the pairs come back unchanged.
    let again = try? FormDecoder.pairs(encode(lenient), mode: .strict)
    require(again.map { same($0, lenient) } ?? false, "re-encoded form decodes differently")

    do {
        let strict = try FormDecoder.pairs(bytes, mode: .strict)
        // Where strict decoding succeeds, lenient decoding agrees with it.
        require(same(strict, lenient), "strict and lenient decoding disagree")
    } catch {
        switch error {
        case .malformedEscape(let offset):
            require(offset >= 0 && offset < bytes.count, "escape offset \(offset) outside \(bytes.count) bytes")
            require(bytes[offset] == UInt8(ascii: "%"), "escape offset \(offset) is not at a %")
        case .invalidUTF8(let offset):
            require(offset >= 0 && offset <= bytes.count, "UTF-8 offset \(offset) outside \(bytes.count) bytes")
        case .unsupportedContentType:
            require(false, "pairs() reported a content type")
        }
    }

    // Percent-decoding never grows its input, and a strict success has no `%` left undecoded
    // beyond what the escapes produced.
    if let decoded = try? PercentDecoding.decode(bytes, plusAsSpace: false, mode: .strict) {
        require(decoded.count <= bytes.count, "decoding grew the input")
        let percents = bytes.filter { $0 == UInt8(ascii: "%") }.count
        require(decoded.count == bytes.count - 2 * percents, "strict decoding left an escape undecoded")
    }
}

private func checkTarget(_ bytes: [UInt8]) {
    guard let target = try? RequestTarget.parse(bytes) else { return }
    require(!target.path.utf8.contains(0), "a NUL byte in a parsed path")
    if target.path == "*" { return }
    // Byte-wise: "/" followed by a combining mark is one Character, which `hasPrefix` would miss.
    require(target.path.utf8.first == UInt8(ascii: "/"), "parsed path '\(target.path)' does not start with /")
    // The decoded path, encoded again (after its leading slash), parses to the same path.
    let encoded = "/" + URLText.encode(String(decoding: target.path.utf8.dropFirst(), as: UTF8.self))
    let again = try? RequestTarget.parse(Array(encoded.utf8))
    require(again == RequestTarget(path: target.path, rawQuery: ""), "re-encoded path parses differently")
}

private func checkRequest(_ bytes: [UInt8]) {
    let request = HTTPRequest(
        method: "POST", path: "/", rawQuery: String(decoding: bytes, as: UTF8.self), body: bytes)
    // `query` holds the first value of each name in `queryItems`, and nothing else.
    var first: [String: String] = [:]
    for item in request.queryItems where first[item.name] == nil { first[item.name] = item.value }
    require(first == request.query, "query is not the first value of each query item")
    for (name, value) in request.query {
        require(request.queryValues(name).first == value, "queryValues('\(name)') does not start with query's value")
    }
    // With no declared content type the body is read as a form, strictly.
    if let fields = try? request.formFields() {
        let strict = try? FormDecoder.pairs(bytes, mode: .strict)
        require(strict.map { same($0, fields) } ?? false, "formFields differs from strict decoding")
        let values = try? request.formValues()
        for (name, value) in values ?? [:] {
            require(fields.first { $0.name == name }?.value == value, "formValues('\(name)') is not the first value")
        }
    }
}
