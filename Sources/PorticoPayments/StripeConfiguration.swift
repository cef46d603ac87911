import Foundation
import PorticoCore

/// The `stripe.*` settings (README "Stripe"): each secret either inline or in a file (a file is
/// better: it keeps the key out of the process list and shell history).
public struct StripeSettings: Sendable, CustomStringConvertible {
    /// `stripe.secretKey`: `sk_live_…`/`sk_test_…` (or a restricted `rk_…` key that may write
    /// Checkout Sessions).
    public var secretKey: Secret?
    /// `stripe.secretKeyFile`: a file holding the secret key (surrounding whitespace ignored).
    public var secretKeyFile: String?
    /// `stripe.webhookSecret`: the webhook endpoint's signing secret, `whsec_…`.
    public var webhookSecret: Secret?
    /// `stripe.webhookSecretFile`: a file holding the signing secret.
    public var webhookSecretFile: String?
    /// `stripe.apiBase`: where the API is; `http://` only for a loopback host (tests).
    public var apiBase = "https://api.stripe.com"
    /// Upper bound of one API call, connection included; a client's browser waits for it.
    public var requestTimeoutSeconds = 15
    /// How far a webhook's signed timestamp may be from now (Stripe's libraries use 300 s).
    public var signatureToleranceSeconds = 300

    public init() {}

    /// Secrets redacted, files named.
    public var description: String {
        func source(_ inline: Secret?, _ file: String?) -> String {
            if let file { return "file \(file)" }
            return inline == nil ? "not set" : "set (redacted)"
        }
        return "stripe(apiBase: \(apiBase), secretKey: \(source(secretKey, secretKeyFile)), "
            + "webhookSecret: \(source(webhookSecret, webhookSecretFile)), timeout: \(requestTimeoutSeconds) s, "
            + "tolerance: \(signatureToleranceSeconds) s)"
    }

    /// Reads the secret files and checks every value; errors name the field and never echo a secret.
    public func resolved() throws -> StripeCredentials {
        let key = try Self.secret(secretKey, secretKeyFile, field: "stripe.secretKey")
        guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else {
            throw BillingError.invalidField(
                "stripe.secretKey", "a Stripe secret key starts with sk_ (or rk_ for a restricted key)")
        }
        let webhook = try Self.secret(webhookSecret, webhookSecretFile, field: "stripe.webhookSecret")
        guard webhook.hasPrefix("whsec_") else {
            throw BillingError.invalidField("stripe.webhookSecret", "a webhook signing secret starts with whsec_")
        }
        let base = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), let host = url.host,
            scheme == "https" || scheme == "http", url.path.isEmpty, url.query == nil
        else { throw BillingError.invalidField("stripe.apiBase", "'\(apiBase)' is not https://HOST[:PORT]") }
        // The secret key travels in every request: never in clear text beyond this machine.
        if scheme == "http" && !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) {
            throw BillingError.invalidField("stripe.apiBase", "plain http is allowed only for a loopback host")
        }
        guard requestTimeoutSeconds > 0 else {
            throw BillingError.invalidField("stripe.requestTimeoutSeconds", "must be more than 0")
        }
        guard signatureToleranceSeconds > 0 else {
            throw BillingError.invalidField("stripe.signatureToleranceSeconds", "must be more than 0")
        }
        return StripeCredentials(
            secretKey: Secret(key), webhookSecret: Secret(webhook), apiBase: base,
            requestTimeoutSeconds: requestTimeoutSeconds,
            signatureToleranceSeconds: signatureToleranceSeconds)
    }

    static func secret(_ inline: Secret?, _ file: String?, field: String) throws -> String {
        switch (inline, file) {
        case (nil, nil):
            throw BillingError.invalidField(field, "required when gateway is stripe (set \(field) or \(field)File)")
        case (.some, .some):
            throw BillingError.invalidField(field, "set either \(field) or \(field)File, not both")
        case (.some(let s), nil):
            let v = s.value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !v.isEmpty else { throw BillingError.invalidField(field, "must not be empty") }
            return v
        case (nil, .some(let path)):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BillingError.invalidField(field + "File", "cannot read '\(path)'")
            }
            let v = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !v.isEmpty else { throw BillingError.invalidField(field + "File", "'\(path)' is empty") }
            return v
        }
    }
}

/// Checked Stripe settings with the secrets read: what `StripeGateway` runs with.
public struct StripeCredentials: Sendable, CustomStringConvertible {
    public var secretKey: Secret
    public var webhookSecret: Secret
    /// Without a trailing slash.
    public var apiBase: String
    public var requestTimeoutSeconds: Int
    public var signatureToleranceSeconds: Int

    public init(
        secretKey: Secret, webhookSecret: Secret, apiBase: String = "https://api.stripe.com",
        requestTimeoutSeconds: Int = 15, signatureToleranceSeconds: Int = 300
    ) {
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
        self.apiBase = apiBase
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.signatureToleranceSeconds = signatureToleranceSeconds
    }

    public var description: String { "stripe(apiBase: \(apiBase), secrets redacted)" }
}
