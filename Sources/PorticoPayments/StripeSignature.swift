import Crypto
import PorticoCore

/// The `Stripe-Signature` header of a webhook: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, maybe
/// with other schemes (`v0=…`) that are ignored. Several `v1` appear while an endpoint's
/// signing secret is being rolled: any one may match.
public struct StripeSignatureHeader: Equatable, Sendable {
    /// The signing time, seconds since 1970.
    public var timestamp: Int64
    /// Every `v1` signature, decoded (32 bytes each).
    public var signatures: [[UInt8]]

    public init(timestamp: Int64, signatures: [[UInt8]]) {
        self.timestamp = timestamp
        self.signatures = signatures
    }

    /// Parses the header, as bytes: items split at `,`, each key and value split at its first `=`
    /// and trimmed of spaces and tabs. A `v1` that is not 64 hex digits cannot match anything and
    /// is skipped; so are other keys and items without `=`.
    ///
    /// - Throws: `.forged` when `t` is missing, repeated or not a number, or no usable `v1` is left.
    public init(parsing header: String) throws(GatewayError) {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        let bytes = Array(header.utf8)
        for item in bytes.split(separator: UInt8(ascii: ",")) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = Self.trimmingBlanks(item[..<equals])
            let value = Self.trimmingBlanks(item[(equals + 1)...])
            if key.elementsEqual("t".utf8) {
                guard timestamp == nil else { throw .forged("Stripe-Signature has more than one timestamp") }
                guard !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let t = Int64(String(decoding: value, as: UTF8.self))
                else { throw .forged("Stripe-Signature timestamp is not a number") }
                timestamp = t
            } else if key.elementsEqual("v1".utf8) {
                if let bytes = Self.hexBytes(value), bytes.count == SHA256.byteCount { signatures.append(bytes) }
            }
        }
        guard let timestamp else { throw .forged("Stripe-Signature has no timestamp") }
        guard !signatures.isEmpty else { throw .forged("Stripe-Signature has no v1 signature") }
        self.timestamp = timestamp
        self.signatures = signatures
    }

    /// Checks the header against `body` (the raw bytes, as received) and the endpoint's signing
    /// secret: the timestamp within `tolerance` seconds of `now` (either side), and an
    /// HMAC-SHA256 of `"{t}.{body}"` equal, in constant time, to one of the `v1` signatures.
    public static func verify(
        header: String, body: [UInt8], secret: String, now: Int64,
        tolerance: Int64
    ) throws(GatewayError) {
        let parsed = try StripeSignatureHeader(parsing: header)
        let age = now - parsed.timestamp
        guard age <= tolerance && age >= -tolerance else {
            throw .forged("Stripe-Signature timestamp is \(age) s from now, more than \(tolerance) s")
        }
        let expected = Array(signature(timestamp: parsed.timestamp, body: body, secret: secret))
        var matched = false
        for candidate in parsed.signatures where constantTimeEqual(candidate, expected) { matched = true }
        guard matched else { throw .forged("no Stripe-Signature v1 matches the signing secret") }
    }

    /// HMAC-SHA256 of `"{timestamp}.{body}"` under `secret` (its UTF-8 bytes, `whsec_` included).
    public static func signature(timestamp: Int64, body: [UInt8], secret: String) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        return Array(mac.finalize())
    }

    /// A header value for `body` signed at `timestamp` (what Stripe sends; used by tests and tools).
    public static func header(timestamp: Int64, body: [UInt8], secret: String) -> String {
        "t=\(timestamp),v1=\(hexString(signature(timestamp: timestamp, body: body, secret: secret)))"
    }

    static func hexBytes(_ s: String) -> [UInt8]? { hexBytes(Array(s.utf8)[...]) }

    static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = digits.startIndex
        while i < digits.endIndex {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

extension StripeSignatureHeader {
    static func trimmingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) })
        else { return [] }
        return bytes[first...last]
    }
}
