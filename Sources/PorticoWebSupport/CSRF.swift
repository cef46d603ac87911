import Crypto
import PorticoCore

/// Stateless CSRF tokens for the portal's forms: an HMAC of the client's address and the day,
/// accepted for that day and the next, so a token cannot be used from another address and
/// needs no cookie (captive-portal sheets often drop them).
public struct CSRF: Sendable {
    let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    public func token(for subject: String, on date: LocalDate) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(subject)|\(date.dayNumber)".utf8),
            using: SymmetricKey(data: key))
        return hexString(mac.prefix(16))
    }

    public func isValid(_ token: String?, for subject: String, on date: LocalDate) -> Bool {
        guard let token, token.utf8.count == 32 else { return false }
        return [date, date.adding(days: -1)].contains { constantTimeEqual(token, self.token(for: subject, on: $0)) }
    }
}
