import Foundation
import PorticoCore

/// The wire details of Stripe's API: authentication, form encoding, answers and error objects,
/// amounts.
extension StripeGateway {
    var authorization: [(name: String, value: String)] {
        [("Authorization", "Bearer " + credentials.secretKey.value)]
    }

    /// Sends one request; a request that certainly never left (no connection) is repeated once
    /// when `retryingWhenUnsent`. Any failure is `.unavailable` with a message safe for logs.
    func call(_ request: StripeHTTPRequest, retryingWhenUnsent: Bool) throws(GatewayError) -> StripeHTTPResponse {
        var attempts = retryingWhenUnsent ? 2 : 1
        while true {
            attempts -= 1
            do {
                return try transport.send(request)
            } catch {
                if error.beforeConnecting && attempts > 0 { continue }
                throw .unavailable("could not reach Stripe: \(scrub(error.message))")
            }
        }
    }

    /// A 2xx answer's Checkout Session, or `.unavailable` saying what Stripe answered.
    func decodeSession(_ response: StripeHTTPResponse, doing what: String) throws(GatewayError) -> StripeCheckoutSession
    {
        guard (200..<300).contains(response.status) else {
            throw .unavailable("Stripe could not \(what): \(stripeError(response))")
        }
        do {
            return try JSONDecoder().decode(StripeCheckoutSession.self, from: Data(response.body))
        } catch {
            throw .unavailable("Stripe's answer to \"\(what)\" is not a Checkout Session (HTTP \(response.status))")
        }
    }

    /// `HTTP 400 invalid_request_error/parameter_invalid_integer: message`, from Stripe's error
    /// object when there is one.
    func stripeError(_ response: StripeHTTPResponse) -> String {
        guard let body = try? JSONDecoder().decode(StripeErrorBody.self, from: Data(response.body)) else {
            return "HTTP \(response.status)"
        }
        let kind = [body.error.type, body.error.code].compactMap { $0 }.joined(separator: "/")
        let message = scrub(String((body.error.message ?? "").prefix(300)))
        return "HTTP \(response.status)" + (kind.isEmpty ? "" : " " + kind) + (message.isEmpty ? "" : ": " + message)
    }

    /// Removes anything that looks like a key from a message before it reaches a log or the
    /// database (Stripe masks keys in its messages already; this does not rely on it).
    func scrub(_ message: String) -> String {
        var out = message.replacingOccurrences(of: credentials.secretKey.value, with: "[redacted]")
        out = out.replacingOccurrences(of: credentials.webhookSecret.value, with: "[redacted]")
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "*" }
        for prefix in ["sk_", "rk_", "whsec_"] {
            var from = out.startIndex
            while let r = out.range(of: prefix, range: from..<out.endIndex) {
                // Only a token that starts here (`risk_level` is not a key).
                if r.lowerBound > out.startIndex && isWord(out[out.index(before: r.lowerBound)]) {
                    from = r.upperBound
                    continue
                }
                let end = out[r.upperBound...].firstIndex { !isWord($0) } ?? out.endIndex
                out.replaceSubrange(r.lowerBound..<end, with: "[redacted]")
                from = out.index(r.lowerBound, offsetBy: "[redacted]".count)
            }
        }
        return out
    }

    /// `application/x-www-form-urlencoded` with Stripe's nested keys (`a[b][0]`): brackets in
    /// keys stay literal, as Stripe's own libraries send them; everything else but RFC 3986's
    /// unreserved characters is percent-encoded.
    static func formEncode(_ fields: [(String, String)]) -> String {
        let brackets: Set<UInt8> = [UInt8(ascii: "["), UInt8(ascii: "]")]
        return fields.map { percentEncoded($0.0, keeping: brackets) + "=" + percentEncoded($0.1) }
            .joined(separator: "&")
    }

    // MARK: Amounts

    /// Stripe's currencies without minor units, and with three digits.
    static let stripeZeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
        "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    static let stripeThreeDecimal: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]

    /// Checks that Stripe counts `currency` in the same minor units as Portico, so an amount
    /// passes unchanged. Where they differ (ISK, MGA) Portico refuses rather than scale.
    static func checkMinorUnits(_ currency: String) throws(GatewayError) {
        let code = currency.uppercased()
        let stripeDigits = stripeZeroDecimal.contains(code) ? 0 : stripeThreeDecimal.contains(code) ? 3 : 2
        guard let ours = Currency.named(code), ours.minorDigits == stripeDigits else {
            throw .unavailable("\(code) amounts are counted differently by Stripe; Portico cannot charge them there")
        }
    }

    static func stripeAmount(_ amount: Money, currency: String) throws(GatewayError) -> Int64 {
        try checkMinorUnits(currency)
        guard amount.minorUnits > 0 else { throw .unavailable("the amount must be more than zero") }
        return amount.minorUnits
    }

    static func portico(amount: Int64, currency: String) throws(GatewayError) -> Money {
        do { try checkMinorUnits(currency) } catch { throw .malformed("\(currency) amounts cannot be read") }
        return Money(amount)
    }
}
