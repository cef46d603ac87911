// `Stripe-Signature`: `StripeSignatureHeader(parsing:)` and `verify`, against an HMAC computed
// here with swift-crypto.
//
// An input is `<header>\n<body>`; the first byte also moves the signing time near "now".

import Crypto
import FuzzSupport

@testable import PorticoPayments

private let secret = "whsec_fuzz"
private let now: Int64 = 1_772_366_400
private let tolerance: Int64 = 300

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
    let header = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []

    checkParse(header)
    checkVerify(header, body)
    // A header signed here, `skew` seconds from now, with the fuzzed items after it.
    let skew = Int64(bytes.first ?? 0) * 3 - 384
    checkSigned(extra: header, body: body, timestamp: now + skew)
    return 0
}

private func mac(_ timestamp: Int64, _ body: [UInt8]) -> [UInt8] {
    var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
    hmac.update(data: Array("\(timestamp).".utf8))
    hmac.update(data: body)
    return Array(hmac.finalize())
}

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

private func checkParse(_ header: String) {
    guard let parsed = try? StripeSignatureHeader(parsing: header) else { return }
    require(!parsed.signatures.isEmpty, "a parsed header without signatures")
    for signature in parsed.signatures {
        require(signature.count == 32, "a v1 of \(signature.count) bytes")
        // Every kept signature was in the header as hex (either case).
        require(header.lowercased().contains(hex(signature)), "a v1 that is not in the header")
        require(StripeSignatureHeader.hexBytes(hex(signature)) == signature, "hex round trip")
    }
    require(hasTimestampKey(Array(header.utf8)), "a timestamp from a header without t")
}

/// Whether the bytes hold `t`, then spaces or tabs, then `=`: the least a parsed timestamp needs.
private func hasTimestampKey(_ bytes: [UInt8]) -> Bool {
    for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "t") {
        var j = i + 1
        while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "=") { return true }
    }
    return false
}

/// Verify never accepts a header that does not carry the HMAC of its own timestamp and body, nor
/// one signed outside the tolerance.
private func checkVerify(_ header: String, _ body: [UInt8]) {
    guard
        (try? StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: now, tolerance: tolerance))
            != nil
    else { return }
    let parsed = try? StripeSignatureHeader(parsing: header)
    require(parsed != nil, "verify accepted a header that does not parse")
    guard let parsed else { return }
    require(abs(now - parsed.timestamp) <= tolerance, "verify accepted a timestamp \(parsed.timestamp)")
    require(header.lowercased().contains(hex(mac(parsed.timestamp, body))), "verify accepted a header without the HMAC")
}

/// A genuine signature stays accepted whatever else the header holds, except another `t`; and
/// is refused outside the tolerance. Checked on ASCII headers, where `,` is always a separator.
private func checkSigned(extra: String, body: [UInt8], timestamp: Int64) {
    guard extra.utf8.allSatisfy({ $0 < 0x80 }) else { return }
    let header = "t=\(timestamp),v1=\(hex(mac(timestamp, body)))," + extra
    do {
        try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: now, tolerance: tolerance)
        require(abs(now - timestamp) <= tolerance, "accepted a timestamp \(now - timestamp) s from now")
    } catch {
        guard case .forged(let why) = error else {
            require(false, "verify threw \(error)")
            return
        }
        require(why.contains("timestamp"), "a genuine signature refused: \(why) for \(header)")
        if !why.contains("more than one timestamp") {
            require(abs(now - timestamp) > tolerance, "a genuine signature in the tolerance refused: \(why)")
        }
    }
}
