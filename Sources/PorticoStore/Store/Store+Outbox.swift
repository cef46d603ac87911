import PorticoCore

/// Something a client is told by email: a document issued, services suspended, released or
/// reactivated. Queued in the same transaction as the change itself.
public struct OutboxEvent: Sendable {
    public enum Kind: Sendable {
        /// An invoice or credit note; `corrects` is the number of the invoice a credit note corrects.
        case document(DocumentRecord, corrects: String?)
        case suspended(services: [Service], reason: String)
        case released(services: [Service], reason: String)
        case reactivated(services: [Service])
    }

    public var kind: Kind
    public var client: ClientRecord
    public var date: LocalDate
    public var settings: Settings
}

/// A rendered message: its subject, a plain-text body and an HTML body.
public struct ComposedMessage: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String

    public init(subject: String, text: String, html: String) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Renders outbox messages (the web module's templates). The store calls it inside the
/// transaction that makes the change, so a message is queued exactly when the change commits.
public protocol MessageComposer: Sendable {
    func compose(_ event: OutboxEvent) -> ComposedMessage
}

/// A message in the outbox, as the admin UI shows it.
public struct OutboxMessage: Hashable, Sendable {
    public var id: Int64
    public var clientId: Int64?
    public var recipient: String
    public var subject: String
    public var text: String
    public var html: String
    /// `invoice`, `creditNote`, `suspension`, `release`, `reactivation`.
    public var kind: String
    public var createdOn: LocalDate
    /// `queued`, `sent` or `failed` (delivery is another component's).
    public var status: String
    public var attempts: Int
    public var lastError: String
}

/// The composer and settings of the write transaction in progress (see `Store.write`).
struct OutboxContext: Sendable {
    var composer: any MessageComposer
    var settings: Settings
}

extension Store {
    /// Bound by `write` for the length of a transaction when a composer is installed.
    @TaskLocal static var outboxContext: OutboxContext?

    /// Installs the composer that renders outbox messages. Until one is installed (e.g. the
    /// command line's billing run) no messages are queued.
    public func setMessageComposer(_ composer: (any MessageComposer)?) {
        locked { $0.composer = composer }
    }

    /// Queues the messages one `apply` calls for: one per issued document, and one per kind of
    /// status change (suspension, release, reactivation) listing the services. Clients without
    /// an email address get none.
    static func queueMessages(
        _ db: Database, _ applied: Applied, outcome: StepOutcome, records: [ServiceRecord],
        clientId: Int64, on date: LocalDate, reason: String
    ) throws {
        guard let context = outboxContext, !applied.documentIds.isEmpty || !applied.statusChanges.isEmpty else {
            return
        }
        let client = try client(db, clientId)
        guard !client.email.isEmpty else { return }
        var events: [(kind: String, event: OutboxEvent.Kind)] = []
        if let first = applied.documentIds.min() {
            let issued = Set(applied.documentIds)
            for doc in try documents(db, where: "d.client_id = ? AND d.id >= ?", [clientId, first])
            where issued.contains(doc.id) {
                let corrects = try doc.corrects.map { id in
                    try db.queryOne("SELECT number FROM documents WHERE id = ?", [id]) { $0.string(0) } ?? ""
                }
                events.append((doc.kind.rawValue, .document(doc, corrects: corrects)))
            }
        }
        let services = Dictionary(uniqueKeysWithValues: records.map { ($0.service.id, $0.service) })
        func changed(_ match: (ServiceStatus, ServiceStatus) -> Bool) -> [(Service, String)] {
            applied.statusChanges.filter { match($0.from, $0.to) }.compactMap { c in
                services[c.serviceId].map { ($0, statusReason(c.from, c.to, outcome: outcome, fallback: reason)) }
            }
        }
        let suspended = changed { $0 != .suspended && $1 == .suspended }
        let released = changed { $0 == .suspended && ($1 == .active || $1 == .overridden) }
        let reactivated = changed { $0 == .ended && $1 == .active }
        if !suspended.isEmpty {
            events.append(("suspension", .suspended(services: suspended.map(\.0), reason: suspended[0].1)))
        }
        if !released.isEmpty {
            events.append(("release", .released(services: released.map(\.0), reason: released[0].1)))
        }
        if !reactivated.isEmpty { events.append(("reactivation", .reactivated(services: reactivated.map(\.0)))) }
        for (kind, event) in events {
            let message = context.composer.compose(
                OutboxEvent(kind: event, client: client, date: date, settings: context.settings))
            try db.run(
                "INSERT INTO outbox(client_id, recipient, subject, text_body, html_body, kind, created_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [clientId, client.email, message.subject, message.text, message.html, kind, date])
        }
    }

    /// The outbox, newest first; one client's when `clientId` is set.
    public func outboxMessages(clientId: Int64? = nil, limit: Int, offset: Int = 0) throws -> [OutboxMessage] {
        try read { db, _ in
            let (sql, params) = Self.newestFirst(
                "SELECT * FROM outbox", table: "outbox", clientId: clientId, limit: limit, offset: offset)
            return try db.queryAll(sql, params, Self.outboxMessage)
        }
    }

    public func outboxMessage(_ id: Int64) throws -> OutboxMessage {
        try read { db, _ in
            guard let m = try db.queryOne("SELECT * FROM outbox WHERE id = ?", [id], Self.outboxMessage) else {
                throw BillingError.notFound(kind: "message", id: String(id))
            }
            return m
        }
    }

    static func outboxMessage(_ row: Row) throws -> OutboxMessage {
        OutboxMessage(
            id: row.int("id"), clientId: row.optionalInt("client_id"), recipient: row.string("recipient"),
            subject: row.string("subject"), text: row.string("text_body"), html: row.string("html_body"),
            kind: row.string("kind"), createdOn: try row.date("created_on"), status: row.string("status"),
            attempts: Int(row.int("attempts")), lastError: row.string("last_error"))
    }
}
