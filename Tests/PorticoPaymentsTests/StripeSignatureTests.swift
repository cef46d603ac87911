import Crypto
import PorticoCore
import Testing

@testable import PorticoPayments

/// The `Stripe-Signature` header: parsing and checking (Stripe's "verify signatures manually").
struct StripeSignatureTests {
    let secret = "whsec_test_secret"
    let body = Array(#"{"id":"evt_1","type":"checkout.session.completed"}"#.utf8)
    let t: Int64 = 1_800_000_000

    func hex(_ bytes: [UInt8]) -> String { hexString(bytes) }

    @Test func signatureIsHMACSHA256OfTimestampDotBody() {
        let expected = HMAC<SHA256>.authenticationCode(
            for: Array("\(t).".utf8) + body,
            using: SymmetricKey(data: Array(secret.utf8)))
        #expect(StripeSignatureHeader.signature(timestamp: t, body: body, secret: secret) == Array(expected))
        #expect(
            StripeSignatureHeader.header(timestamp: t, body: body, secret: secret)
                == "t=\(t),v1=\(hex(Array(expected)))")
    }

    @Test func parsesSeveralV1AndIgnoresOtherSchemes() throws {
        let a = [UInt8](repeating: 0xab, count: 32)
        let b = [UInt8](repeating: 0x01, count: 32)
        let parsed = try StripeSignatureHeader(parsing: "t=\(t), v1=\(hex(a)),v0=\(hex(b)),v1=\(hex(b).uppercased())")
        #expect(parsed == StripeSignatureHeader(timestamp: t, signatures: [a, b]))
    }

    /// Blanks around keys and values are tolerated however many there are (the fuzzer's find:
    /// `  t  =` once broke its invariant); a key is never matched inside a longer one.
    @Test func blanksAroundKeysAndValuesAreTolerated() throws {
        let a = [UInt8](repeating: 0xab, count: 32)
        let parsed = try StripeSignatureHeader(parsing: " \t t  =\t\(t) ,  v1 \t= \(hex(a))\t,,x")
        #expect(parsed == StripeSignatureHeader(timestamp: t, signatures: [a]))
        #expect(throws: GatewayError.forged("Stripe-Signature has no timestamp")) {
            try StripeSignatureHeader(parsing: "tt=\(t),v1=\(hex(a))")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature has no v1 signature")) {
            try StripeSignatureHeader(parsing: "t=\(t),xv1=\(hex(a)),v 1=\(hex(a))")
        }
    }

    @Test func anyV1MayMatch() throws {
        let good = StripeSignatureHeader.signature(timestamp: t, body: body, secret: secret)
        let other = StripeSignatureHeader.signature(timestamp: t, body: body, secret: "whsec_old")
        let header = "t=\(t),v1=\(hex(other)),v1=\(hex(good))"
        try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: t + 10, tolerance: 300)
    }

    @Test func missingTimestampIsRejected() {
        let sig = hex(StripeSignatureHeader.signature(timestamp: t, body: body, secret: secret))
        #expect(throws: GatewayError.forged("Stripe-Signature has no timestamp")) {
            try StripeSignatureHeader(parsing: "v1=\(sig)")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature timestamp is not a number")) {
            try StripeSignatureHeader(parsing: "t=12a,v1=\(sig)")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature timestamp is not a number")) {
            try StripeSignatureHeader(parsing: "t=-5,v1=\(sig)")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature has more than one timestamp")) {
            try StripeSignatureHeader(parsing: "t=1,t=2,v1=\(sig)")
        }
    }

    @Test func nonHexOrShortSignaturesAreSkipped() throws {
        let sig = hex(StripeSignatureHeader.signature(timestamp: t, body: body, secret: secret))
        let nonHex = String(repeating: "zz", count: 32)
        #expect(throws: GatewayError.forged("Stripe-Signature has no v1 signature")) {
            try StripeSignatureHeader(parsing: "t=\(t),v1=\(nonHex)")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature has no v1 signature")) {
            try StripeSignatureHeader(parsing: "t=\(t),v1=abcd,v1=\(sig.dropLast())")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature has no v1 signature")) {
            try StripeSignatureHeader(parsing: "t=\(t),v0=\(sig)")
        }
        #expect(throws: GatewayError.forged("Stripe-Signature has no timestamp")) {
            try StripeSignatureHeader(parsing: "")
        }
        // A junk v1 next to a good one does not spoil it.
        let parsed = try StripeSignatureHeader(parsing: "t=\(t),v1=\(nonHex),v1=\(sig)")
        #expect(parsed.signatures.count == 1)
    }

    @Test func wrongSecretTamperedBodyOrOtherTimestampFail() {
        let header = StripeSignatureHeader.header(timestamp: t, body: body, secret: secret)
        let forged = GatewayError.forged("no Stripe-Signature v1 matches the signing secret")
        #expect(throws: forged) {
            try StripeSignatureHeader.verify(header: header, body: body, secret: "whsec_other", now: t, tolerance: 300)
        }
        #expect(throws: forged) {
            try StripeSignatureHeader.verify(
                header: header, body: body + [0x20], secret: secret, now: t, tolerance: 300)
        }
        let moved = header.replacingOccurrences(of: "t=\(t)", with: "t=\(t + 1)")
        #expect(throws: forged) {
            try StripeSignatureHeader.verify(header: moved, body: body, secret: secret, now: t, tolerance: 300)
        }
    }

    @Test func timestampMustBeWithinTolerance() throws {
        let header = StripeSignatureHeader.header(timestamp: t, body: body, secret: secret)
        try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: t + 300, tolerance: 300)
        try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: t - 300, tolerance: 300)
        #expect(throws: GatewayError.forged("Stripe-Signature timestamp is 301 s from now, more than 300 s")) {
            try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: t + 301, tolerance: 300)
        }
        #expect(throws: GatewayError.forged("Stripe-Signature timestamp is -301 s from now, more than 300 s")) {
            try StripeSignatureHeader.verify(header: header, body: body, secret: secret, now: t - 301, tolerance: 300)
        }
    }
}
