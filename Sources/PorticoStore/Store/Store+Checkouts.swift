import PorticoCore

/// A checkout through a payment gateway.
public struct CheckoutRecord: Hashable, Sendable {
    public enum Status: String, Sendable { case open, paid, declined, failed }

    public var id: String
    public var clientId: Int64
    public var purpose: Quote.Purpose
    public var amount: Money
    public var currency: String
    public var description: String
    public var gateway: String
    public var gatewayReference: String?
    public var status: Status
    public var failure: String
    public var createdOn: LocalDate
    public var paymentId: Int64?
}

/// The outcome of confirming a checkout.
public struct CheckoutConfirmation: Sendable {
    public var checkout: CheckoutRecord
    public var payment: PaymentRecord?
    public var delta: WalledGardenDelta
    /// False when the checkout had been confirmed before: nothing was changed.
    public var isNew: Bool
}

extension Store {
    /// Stores a checkout for `quote` (its amount is the quote's total, fixed now).
    public func createCheckout(
        id: String, quote: Quote, description: String, gateway: String, on date: LocalDate,
        clientAddress: String
    ) throws -> CheckoutRecord {
        guard quote.total > .zero else { throw BillingError.amountNotPositive(field: "amount") }
        return try write { db, settings in
            let (purpose, serviceId, months): (String, Int64?, Int) =
                switch quote.purpose {
                case .reactivation(let s, let m): ("reactivation", s, m)
                case .prepayment(let m): ("prepayment", nil, m)
                case .overdueOnly: ("overdue", nil, 0)
                }
            try db.run(
                """
                INSERT INTO checkouts(id, client_id, service_id, purpose, months, amount, currency, description, gateway,
                    created_on, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    id, quote.clientId, serviceId, purpose, months, quote.total, settings.billing.currency, description,
                    gateway, date, clientAddress,
                ])
            return try Self.checkout(db, id)
        }
    }

    /// Records the gateway's own reference for a checkout (e.g. a Stripe session id).
    public func setCheckoutGatewayReference(_ id: String, _ reference: String) throws {
        try write { db, _ in
            try db.run(
                "UPDATE checkouts SET gateway_reference = ? WHERE id = ? AND gateway_reference IS NULL",
                [reference, id])
        }
    }

    public func checkout(_ id: String) throws -> CheckoutRecord {
        try read { db, _ in try Self.checkout(db, id) }
    }

    public func checkout(gateway: String, reference: String) throws -> CheckoutRecord? {
        try read { db, _ in
            guard
                let id = try db.queryOne(
                    "SELECT id FROM checkouts WHERE gateway = ? AND gateway_reference = ?",
                    [gateway, reference], { $0.string(0) })
            else { return nil }
            return try Self.checkout(db, id)
        }
    }

    /// Confirms a paid checkout exactly once, in one transaction: records the payment and
    /// carries out its purpose (reactivation term and paid invoice, or payment of overdue
    /// invoices and prepaid credit), releasing the client when nothing overdue is left. A
    /// checkout already paid returns what was recorded and changes nothing.
    ///
    /// `amount` and `currency` are what the gateway says was paid; they must match.
    public func confirmCheckout(
        _ id: String, gatewayReference: String, amount: Money, currency: String,
        on date: LocalDate
    ) throws -> CheckoutConfirmation {
        try write { db, settings in
            let c = try Self.checkout(db, id)
            if c.status == .paid, let pid = c.paymentId {
                return CheckoutConfirmation(
                    checkout: c, payment: try Self.payment(db, pid), delta: WalledGardenDelta(),
                    isNew: false)
            }
            guard amount == c.amount, currency.uppercased() == c.currency else {
                throw BillingError.invalidField(
                    "amount", "paid \(amount) \(currency) does not match the checkout's \(c.amount) \(c.currency)")
            }
            if let existing = try Self.paymentByGatewayReference(db, "\(c.gateway):\(gatewayReference)") {
                try db.run("UPDATE checkouts SET status = 'paid', payment_id = ? WHERE id = ?", [existing.id, id])
                return CheckoutConfirmation(
                    checkout: try Self.checkout(db, id), payment: existing,
                    delta: WalledGardenDelta(), isNew: false)
            }
            let reference = "\(c.gateway):\(gatewayReference)"
            let pid = try Self.insertPayment(db, c.clientId, amount, date, c.gateway, gatewayReference, reference)
            var delta = WalledGardenDelta()
            var failure = ""
            if case .reactivation(let serviceId, let months) = c.purpose {
                // The client paid for a reactivation; if it can no longer be done as quoted (an
                // admin reactivated meanwhile), the money is kept as credit, never lost.
                do {
                    try db.transaction {
                        let quote = try Self.quote(db, settings, clientId: c.clientId, purpose: c.purpose, on: date)
                        guard quote.total == amount else {
                            throw BillingError.notAllowed("the price changed from \(amount) to \(quote.total)")
                        }
                        let term = Reactivation.term(months: months, on: date)
                        try db.run(
                            "INSERT INTO terms(service_id, start_on, end_on, anchor_on, period_months, prepaid) VALUES (?, ?, ?, ?, ?, 1)",
                            [serviceId, term.start, term.end, term.anchor, term.periodMonths])
                        try Self.audit(
                            db, on: date, clientId: c.clientId, serviceId: serviceId, event: "reactivated",
                            reason: "\(months) months until \(term.end!.adding(days: -1)), checkout \(id)")
                    }
                } catch let e as BillingError {
                    failure = "reactivation not applied, payment kept as credit: \(e.description)"
                }
            }
            delta = try Self.stepClient(
                db, settings, clientId: c.clientId, on: date, payment: (pid, amount),
                reason: "checkout \(id)"
            ).delta
            try db.run(
                "UPDATE checkouts SET status = 'paid', payment_id = ?, gateway_reference = coalesce(gateway_reference, ?), failure = ? WHERE id = ?",
                [pid, gatewayReference, failure, id])
            return CheckoutConfirmation(
                checkout: try Self.checkout(db, id), payment: try Self.payment(db, pid),
                delta: delta, isNew: true)
        }
    }

    /// Marks an open checkout declined or failed (nothing else changes).
    public func failCheckout(_ id: String, status: CheckoutRecord.Status, reason: String) throws -> CheckoutRecord {
        try write { db, _ in
            try db.run(
                "UPDATE checkouts SET status = ?, failure = ? WHERE id = ? AND status = 'open'",
                [status.rawValue, reason, id])
            return try Self.checkout(db, id)
        }
    }

    static func checkout(_ db: Database, _ id: String) throws -> CheckoutRecord {
        guard
            let c = try db.queryOne(
                "SELECT * FROM checkouts WHERE id = ?", [id],
                { row -> CheckoutRecord in
                    let months = Int(row.int("months"))
                    let purpose: Quote.Purpose =
                        switch row.string("purpose") {
                        case "reactivation": .reactivation(serviceId: row.int("service_id"), months: months)
                        case "prepayment": .prepayment(months: months)
                        default: .overdueOnly
                        }
                    return CheckoutRecord(
                        id: row.string("id"), clientId: row.int("client_id"), purpose: purpose,
                        amount: row.money("amount"),
                        currency: row.string("currency"), description: row.string("description"),
                        gateway: row.string("gateway"),
                        gatewayReference: row.optionalString("gateway_reference"),
                        status: CheckoutRecord.Status(rawValue: row.string("status")) ?? .open,
                        failure: row.string("failure"),
                        createdOn: try row.date("created_on"), paymentId: row.optionalInt("payment_id"))
                })
        else { throw BillingError.notFound(kind: "checkout", id: id) }
        return c
    }

    // MARK: API tokens

    /// Stores a token by its hash (the caller hashes; the store never sees the token).
    public func createAPIToken(name: String, hash: String, on date: LocalDate) throws {
        if name.trimmingCharacters(in: " ").isEmpty { throw BillingError.invalidField("name", "must not be empty") }
        try write { db, _ in
            try db.run("INSERT INTO api_tokens(name, token_hash, created_on) VALUES (?, ?, ?)", [name, hash, date])
        }
    }

    /// The name of the live token with this hash, if any.
    public func apiTokenName(hash: String) throws -> String? {
        try read { db, _ in
            try db.queryOne("SELECT name FROM api_tokens WHERE token_hash = ? AND revoked = 0", [hash]) { $0.string(0) }
        }
    }
}

extension Store {
    /// The secret named `name`, made from `generate()` and stored on first use.
    public func secret(named name: String, generate: () -> [UInt8]) throws -> [UInt8] {
        try write { db, _ in
            if let v = try db.queryOne("SELECT value FROM secrets WHERE name = ?", [name], { $0.blob(0) }) { return v }
            let v = generate()
            try db.run("INSERT INTO secrets(name, value) VALUES (?, ?)", [name, v])
            return v
        }
    }
}
