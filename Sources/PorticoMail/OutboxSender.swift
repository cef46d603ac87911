import Foundation
import Logging
import PorticoStore

/// What one pass over the outbox did.
public struct DeliveryReport: Sendable, Equatable {
    public var sent = 0
    /// Failed attempts that will be tried again.
    public var deferred = 0
    /// Messages given up on (refused for good or out of attempts).
    public var failed = 0

    public init() {}
    public var attempted: Int { sent + deferred + failed }
}

/// Delivers the outbox: takes the messages that are due, sends each, and records the outcome.
/// A message is marked `sent` only after the server accepted it; a failure is retried after
/// `retryBaseSeconds · 2^(attempt-1)` (at most `retryMaxSeconds`), up to `maxAttempts`; a
/// permanent refusal (a 5xx to RCPT or DATA) fails it at once. Delivery is at least once: if
/// Portico dies between the server's acceptance and the database's update, the message goes
/// again when its lease runs out (same Message-ID, so clients' mail programs show it once).
public struct OutboxSender: Sendable {
    public let store: Store
    public let settings: SMTPSettings
    public let transport: any MailTransport
    let logger: Logger
    /// Unix seconds now (fixed in tests).
    let now: @Sendable () -> Int64

    public init(
        store: Store, settings: SMTPSettings, transport: any MailTransport, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.settings = settings
        self.transport = transport
        self.logger = logger
        self.now = now
    }

    /// The back-off before attempt `attempt + 1`, after `attempt` failures (1-based).
    public static func backoffSeconds(afterFailures attempt: Int, base: Int, max: Int) -> Int {
        let exponent = Swift.min(Swift.max(attempt - 1, 0), 30)
        return Swift.min(base.multipliedReportingOverflow(by: 1 << exponent).partialValue, max)
    }

    /// One pass: up to `limit` due messages.
    public func deliverDue(limit: Int = 50) throws -> DeliveryReport {
        var report = DeliveryReport()
        let start = now()
        // The lease outlasts one delivery's timeout for each message taken.
        let lease = Int64(settings.timeoutSeconds * (limit + 1))
        for message in try store.claimDueOutbox(now: start, leaseSeconds: lease, limit: limit) {
            let attempt = message.attempts + 1
            do {
                let mail = try MailMessage(
                    id: message.id, from: settings.from, to: message.recipient,
                    subject: message.subject, text: message.text, html: message.html)
                try transport.send(mail)
                try store.markOutboxSent(id: message.id)
                report.sent += 1
                logger.info(
                    "mail sent",
                    metadata: [
                        "outbox": "\(message.id)", "kind": "\(message.kind)",
                        "attempt": "\(attempt)",
                    ])
            } catch let error as SMTPError {
                try record(message, attempt: attempt, error: error.description, permanent: error.permanent, &report)
            } catch let error as MailConfigurationError where error.key == "recipient" {
                try record(message, attempt: attempt, error: error.description, permanent: true, &report)
            }
        }
        return report
    }

    private func record(
        _ message: OutboxMessage, attempt: Int, error: String, permanent: Bool,
        _ report: inout DeliveryReport
    ) throws {
        if permanent || attempt >= settings.maxAttempts {
            try store.markOutboxFailed(id: message.id, error: error)
            report.failed += 1
            logger.error(
                "mail failed",
                metadata: [
                    "outbox": "\(message.id)", "attempt": "\(attempt)",
                    "permanent": "\(permanent)", "error": "\(error)",
                ])
        } else {
            let wait = Self.backoffSeconds(
                afterFailures: attempt, base: settings.retryBaseSeconds,
                max: settings.retryMaxSeconds)
            try store.markOutboxRetry(id: message.id, error: error, nextAttemptAt: now() + Int64(wait))
            report.deferred += 1
            logger.warning(
                "mail deferred",
                metadata: [
                    "outbox": "\(message.id)", "attempt": "\(attempt)",
                    "retry_in_s": "\(wait)", "error": "\(error)",
                ])
        }
    }
}
