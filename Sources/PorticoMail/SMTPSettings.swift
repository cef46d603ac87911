import Foundation
import PorticoCore

/// The `smtp.*` settings. Mail is off while `url` is empty: messages wait in the outbox.
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    /// `smtp://host:587` (STARTTLS) or `smtps://host:465` (TLS from the first byte).
    public var url = ""
    /// With `smtp://`: refuse to send unless the server upgrades with STARTTLS. Off only for a
    /// relay on the same machine or a test server.
    public var starttls = true
    /// AUTH user name; empty: no AUTH.
    public var username = ""
    public var password: Secret?
    /// A file holding the password (surrounding whitespace ignored); better than `password`.
    public var passwordFile: String?
    /// The envelope sender and `From:` (`Billing <billing@isp.example>` or `billing@isp.example`).
    public var from = ""
    /// PEM bundle of the CAs that may sign the server's certificate; default the system's.
    public var caFile: String?
    /// Upper bound of one delivery, connection included.
    public var timeoutSeconds = 30
    /// Attempts before a message is marked `failed` (a 5xx refusal fails it at once).
    public var maxAttempts = 8
    /// Back-off after the first failed attempt; doubled after each, up to `retryMaxSeconds`.
    public var retryBaseSeconds = 60
    public var retryMaxSeconds = 3600
    /// How often the outbox is looked at.
    public var pollSeconds = 10

    public init() {}

    public var isEnabled: Bool { !url.isEmpty }

    public var description: String {
        let secret = passwordFile.map { "file \($0)" } ?? (password == nil ? "not set" : "set (redacted)")
        return "smtp(url: \(url.isEmpty ? "off" : url), starttls: \(starttls), user: \(username), password: \(secret), "
            + "from: \(from))"
    }

    /// The password, read from its file when one is named; errors name the key.
    public func resolvedPassword() throws(MailConfigurationError) -> String? {
        switch (password, passwordFile) {
        case (.some, .some):
            throw MailConfigurationError(
                key: "smtp.password", message: "set either smtp.password or smtp.passwordFile, not both")
        case (.some(let p), nil):
            return p.value
        case (nil, .some(let path)):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MailConfigurationError(key: "smtp.passwordFile", message: "cannot read '\(path)'")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        case (nil, nil):
            return nil
        }
    }

    /// Checks every value; the error names the key to fix.
    public func validate() throws(MailConfigurationError) {
        guard isEnabled else { return }
        let lower = url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://"), url.count > 8 else {
            throw MailConfigurationError(
                key: "smtp.url", message: "'\(url)' is not smtp://HOST[:PORT] or smtps://HOST[:PORT]")
        }
        guard MailAddress.envelope(from) != nil else {
            throw MailConfigurationError(
                key: "smtp.from", message: "an address is needed to send mail (billing@isp.example)")
        }
        if !username.isEmpty || password != nil || passwordFile != nil {
            guard !username.isEmpty else {
                throw MailConfigurationError(key: "smtp.username", message: "a password is set but no user name")
            }
            guard try resolvedPassword() != nil else {
                throw MailConfigurationError(
                    key: "smtp.password", message: "a user name is set but no password (or passwordFile)")
            }
            // AUTH in clear text would hand the password to anyone on the path.
            if lower.hasPrefix("smtp://") && !starttls {
                throw MailConfigurationError(
                    key: "smtp.starttls", message: "must be true when AUTH is used over smtp://")
            }
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw MailConfigurationError(key: "smtp.caFile", message: "cannot read '\(caFile)'")
        }
        for (key, value) in [
            ("smtp.timeoutSeconds", timeoutSeconds), ("smtp.maxAttempts", maxAttempts),
            ("smtp.retryBaseSeconds", retryBaseSeconds), ("smtp.retryMaxSeconds", retryMaxSeconds),
            ("smtp.pollSeconds", pollSeconds),
        ] where value < 1 {
            throw MailConfigurationError(key: key, message: "must be at least 1")
        }
    }
}

/// A wrong `smtp.*` value.
public struct MailConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "\(key): \(message)" }
}
