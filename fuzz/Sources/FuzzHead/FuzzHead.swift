// Request heads: the request target and the header fields `HTTPServer` checks before anything
// answers (`RequestFraming`, `RequestTarget`). The input is one line for the target, then one
// `name:value` field a line.

import FuzzSupport

@testable import PorticoHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    let target = lines.isEmpty ? [] : lines.removeFirst()
    checkTarget(target)
    checkFields(lines, http11: bytes.count % 2 == 0)
    return 0
}

private func checkTarget(_ raw: [UInt8]) {
    let forbidden = RequestFraming.targetHasForbiddenByte(raw)
    if (try? RequestTarget.parse(raw)) != nil {
        // Whatever the server would serve has none of the bytes it refuses.
        require(!forbidden, "a target with a space or control byte was parsed")
    }
}

private func checkFields(_ lines: [[UInt8]], http11: Bool) {
    var framing = RequestFraming()
    var fields: [(name: [UInt8], value: [UInt8])] = []
    for line in lines {
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        let name = Array(line[..<colon])
        let value = colon < line.count ? Array(line[(colon + 1)...]) : []
        fields.append((name, value))
        name.withUnsafeBytes { n in value.withUnsafeBytes { v in framing.add(name: n, value: v) } }
    }
    func named(_ lowercase: String) -> [[UInt8]] {
        fields.filter { $0.name.map { $0 | ($0 >= 65 && $0 <= 90 ? 0x20 : 0) } == Array(lowercase.utf8) }.map(\.value)
    }
    guard let refusal = framing.refusal(isHTTP11: http11) else {
        // An accepted head is framed one way only, names one host and has clean fields.
        let lengths = named("content-length")
        let codings = named("transfer-encoding")
        require(lengths.isEmpty || codings.isEmpty, "accepted both Content-Length and Transfer-Encoding")
        require(Set(lengths).count <= 1, "accepted Content-Length fields that disagree")
        require(codings.count <= 1, "accepted Transfer-Encoding twice")
        require(codings.isEmpty || http11, "accepted Transfer-Encoding in HTTP/1.0")
        require(!http11 || named("host").count == 1, "accepted an HTTP/1.1 head without one Host")
        require(named("host").count <= 1, "accepted two Host fields")
        for field in fields {
            require(!field.name.isEmpty && field.name.allSatisfy(RequestFraming.isTokenByte), "accepted a bad name")
            require(!field.value.contains { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }, "accepted a control byte")
        }
        return
    }
    require(refusal.status == 400 || refusal.status == 501, "refused with \(refusal.status)")
    // The message goes into a text/plain answer: printable, one line.
    let body = refusal.message.utf8.dropLast()
    require(refusal.message.utf8.last == 0x0A && !body.contains { $0 < 0x20 || $0 == 0x7F }, "unsafe message")
}
