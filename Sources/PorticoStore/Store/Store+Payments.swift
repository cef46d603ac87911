import PorticoCore

/// The result of recording a payment: the payment, and what it changed in the walled garden.
public struct PaymentResult: Sendable {
    public var payment: PaymentRecord
    public var delta: WalledGardenDelta
    /// False when the gateway reference had been recorded before: nothing was changed.
    public var isNew: Bool
}

/// The checkout a stopped client is offered (SPEC §6): overdue invoices first, then N months.
public struct Quote: Hashable, Sendable {
    public enum Purpose: Hashable, Sendable {
        /// An ended service: a new term of N months, invoiced and paid at once.
        case reactivation(serviceId: Int64, months: Int)
        /// A suspended (or active) client: N months paid in advance, kept as credit.
        case prepayment(months: Int)
        /// The overdue invoices alone.
        case overdueOnly
    }
    public var clientId: Int64
    public var purpose: Purpose
    public var overdue: [OpenInvoice]
    public var overdueTotal: Money
    public var monthsPrice: Money
    public var total: Money { overdueTotal + monthsPrice }
}

extension Store {
    /// Records a payment: applied to unpaid invoices oldest due first, the rest becomes credit;
    /// services are released in the same transaction when no invoice meets the suspension rule
    /// any more. A `gatewayReference` seen before returns the payment already recorded.
    public func recordPayment(
        clientId: Int64, amount: Money, receivedOn: LocalDate, method: String,
        reference: String = "", gatewayReference: String? = nil
    ) throws -> PaymentResult {
        guard amount > .zero else { throw BillingError.amountNotPositive(field: "amount") }
        if method.trimmingCharacters(in: " ").isEmpty { throw BillingError.invalidField("method", "must not be empty") }
        return try write { db, settings in
            if let existing = try Self.paymentByGatewayReference(db, gatewayReference) {
                return PaymentResult(payment: existing, delta: WalledGardenDelta(), isNew: false)
            }
            _ = try Self.client(db, clientId)
            let id = try Self.insertPayment(db, clientId, amount, receivedOn, method, reference, gatewayReference)
            let applied = try Self.stepClient(
                db, settings, clientId: clientId, on: receivedOn,
                payment: (id, amount), reason: "payment \(reference)")
            return PaymentResult(payment: try Self.payment(db, id), delta: applied.delta, isNew: true)
        }
    }

    /// What the client would pay now for `purpose`.
    public func quote(clientId: Int64, purpose: Quote.Purpose, on date: LocalDate) throws -> Quote {
        try read { db, settings in try Self.quote(db, settings, clientId: clientId, purpose: purpose, on: date) }
    }

    static func quote(
        _ db: Database, _ settings: Settings, clientId: Int64, purpose: Quote.Purpose,
        on date: LocalDate
    ) throws -> Quote {
        let (state, records) = try loadState(db, settings, clientId: clientId)
        let overdue = state.open.filter { $0.dueOn < date && $0.unpaid > .zero }
        var months = Money.zero
        switch purpose {
        case .reactivation(let serviceId, let n):
            guard let service = state.services.first(where: { $0.id == serviceId }) else {
                throw BillingError.notFound(kind: "service", id: String(serviceId))
            }
            let status = StatusRules.status(
                of: service, among: state.services, suspensions: state.suspensions, on: date)
            try Reactivation.validate(service, months: n, settings: settings.reactivation, status: status, on: date)
            months = Reactivation.price(service, months: n)
        case .prepayment(let n):
            guard settings.reactivation.monthChoices.contains(n) else {
                throw BillingError.monthsNotOffered(months: n, choices: settings.reactivation.monthChoices)
            }
            // The regular service's price: the one not overridden, else the first.
            let regular = records.first { $0.service.overrideRole != .primary } ?? records.first
            guard let s = regular?.service else { throw BillingError.notAllowed("client \(clientId) has no service") }
            months = s.price(forMonths: n)
        case .overdueOnly:
            break
        }
        return Quote(
            clientId: clientId, purpose: purpose, overdue: overdue,
            overdueTotal: overdue.reduce(.zero) { $0 + $1.unpaid }, monthsPrice: months)
    }

    /// Reactivation on confirmed payment (SPEC §6), in one transaction: the payment is recorded; a
    /// term `[date, addMonths(date, N))` is appended; its invoice is issued and, with the overdue
    /// invoices, paid by the payment; the service leaves the walled garden.
    public func reactivate(
        serviceId: Int64, months: Int, on date: LocalDate, amount: Money, method: String,
        reference: String = "", gatewayReference: String? = nil
    ) throws -> PaymentResult {
        guard amount > .zero else { throw BillingError.amountNotPositive(field: "amount") }
        return try write { db, settings in
            if let existing = try Self.paymentByGatewayReference(db, gatewayReference) {
                return PaymentResult(payment: existing, delta: WalledGardenDelta(), isNew: false)
            }
            guard let clientId = try db.scalarInt("SELECT client_id FROM services WHERE id = ?", [serviceId]) else {
                throw BillingError.notFound(kind: "service", id: String(serviceId))
            }
            let quote = try Self.quote(
                db, settings, clientId: clientId,
                purpose: .reactivation(serviceId: serviceId, months: months), on: date)
            guard amount == quote.total else {
                throw BillingError.invalidField("amount", "\(amount) does not match the checkout total \(quote.total)")
            }
            let term = Reactivation.term(months: months, on: date)
            try db.run(
                "INSERT INTO terms(service_id, start_on, end_on, anchor_on, period_months, prepaid) VALUES (?, ?, ?, ?, ?, 1)",
                [serviceId, term.start, term.end, term.anchor, term.periodMonths])
            let id = try Self.insertPayment(db, clientId, amount, date, method, reference, gatewayReference)
            try Self.audit(
                db, on: date, clientId: clientId, serviceId: serviceId, event: "reactivated",
                reason: "\(months) months until \(term.end!.adding(days: -1))")
            let applied = try Self.stepClient(
                db, settings, clientId: clientId, on: date, payment: (id, amount),
                reason: "reactivated")
            return PaymentResult(payment: try Self.payment(db, id), delta: applied.delta, isNew: true)
        }
    }

    static func insertPayment(
        _ db: Database, _ clientId: Int64, _ amount: Money, _ on: LocalDate, _ method: String,
        _ reference: String, _ gatewayReference: String?
    ) throws -> Int64 {
        try db.run(
            "INSERT INTO payments(client_id, amount, received_on, method, reference, gateway_reference) VALUES (?, ?, ?, ?, ?, ?)",
            [clientId, amount, on, method, reference, gatewayReference])
        return db.lastInsertRowID
    }

    static func paymentByGatewayReference(_ db: Database, _ ref: String?) throws -> PaymentRecord? {
        guard let ref else { return nil }
        guard let id = try db.scalarInt("SELECT id FROM payments WHERE gateway_reference = ?", [ref]) else {
            return nil
        }
        return try payment(db, id)
    }

    public func payment(_ id: Int64) throws -> PaymentRecord {
        try read { db, _ in try Self.payment(db, id) }
    }

    public func payments(clientId: Int64? = nil) throws -> [PaymentRecord] {
        try read { db, _ in
            let ids =
                try clientId.map {
                    try db.queryAll("SELECT id FROM payments WHERE client_id = ? ORDER BY id", [$0]) { $0.int(0) }
                }
                ?? db.queryAll("SELECT id FROM payments ORDER BY id") { $0.int(0) }
            return try ids.map { try Self.payment(db, $0) }
        }
    }

    static func payment(_ db: Database, _ id: Int64) throws -> PaymentRecord {
        guard
            var p = try db.queryOne(
                "SELECT * FROM payments WHERE id = ?", [id],
                { row in
                    PaymentRecord(
                        id: row.int("id"), clientId: row.int("client_id"), amount: row.money("amount"),
                        receivedOn: try row.date("received_on"), method: row.string("method"),
                        reference: row.string("reference"), applied: [], creditAdded: row.money("credit_added"))
                })
        else { throw BillingError.notFound(kind: "payment", id: String(id)) }
        p.applied = try db.queryAll("SELECT invoice_id, amount FROM allocations WHERE payment_id = ? ORDER BY id", [id])
        {
            (documentId: $0.int(0), amount: Money($0.int(1)))
        }
        return p
    }
}
