import PorticoCurl

/// Why a delivery did not happen.
public struct SMTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl's message, with the server's reply code where there was one.
    public var message: String
    /// The server's last reply code (`451`, `550`), 0 when none came.
    public var replyCode: Int
    /// The server refused this message for good (a 5xx to RCPT or DATA): retrying cannot help.
    public var permanent: Bool

    public init(_ message: String, replyCode: Int = 0, permanent: Bool = false) {
        self.message = message
        self.replyCode = replyCode
        self.permanent = permanent
    }

    public var description: String { message }
}

/// Sends one message; the outbox sender takes any, tests take a fake.
public protocol MailTransport: Sendable {
    /// Returns only once the server has accepted the message (its `250` after DATA).
    func send(_ message: MailMessage) throws(SMTPError)
}

/// `MailTransport` over PorticoCurl's `SMTPSubmission`: STARTTLS (required unless `smtp.starttls`
/// is off) or implicit TLS with `smtps://`, AUTH with the best mechanism the server offers,
/// certificates verified. One libcurl handle per message, no state shared between threads.
public struct CurlSMTPTransport: MailTransport {
    public let settings: SMTPSettings
    let password: String?

    public init(settings: SMTPSettings) throws(MailConfigurationError) {
        try settings.validate()
        self.settings = settings
        password = try settings.resolvedPassword()
    }

    public func send(_ message: MailMessage) throws(SMTPError) {
        let submission = SMTPSubmission(
            url: settings.url, from: message.envelopeFrom, recipients: [message.recipient], data: message.data,
            requireTLS: settings.starttls, tls: CurlTLS(caFile: settings.caFile),
            credentials: settings.username.isEmpty
                ? nil : CurlCredentials(username: settings.username, password: password ?? ""),
            timeouts: .total(.seconds(settings.timeoutSeconds), connectAtMost: .seconds(10)))
        do {
            try submission.send()
        } catch {
            throw Self.classify(error)
        }
    }

    /// A 5xx to MAIL FROM or AUTH is the installation's problem (sender, credentials), not this
    /// message's: keep retrying while someone fixes it. A 5xx to RCPT or DATA is final.
    static func classify(_ error: CurlError) -> SMTPError {
        let reply = error.responseCode
        let permanent = (500..<600).contains(reply) && !error.loginDenied && !error.detail.hasPrefix("MAIL failed")
        return SMTPError(
            error.description + (reply > 0 ? " (server replied \(reply))" : ""), replyCode: reply, permanent: permanent)
    }
}
