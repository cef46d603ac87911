import PorticoCore

/// What a billing run did.
public struct BillingRunReport: Sendable {
    /// Dates this call ran (already-run dates are skipped).
    public var dates: [LocalDate] = []
    public var clientsStepped = 0
    public var documentsIssued = 0
    public var delta = WalledGardenDelta()
}

extension Store {
    /// The daily run (SPEC §8) for every date after the last one run (or from the earliest
    /// service start) through `date`. Each date is one IMMEDIATE transaction: a second process
    /// running at the same time waits for it and then finds the date done, so nothing runs twice.
    ///
    /// Only clients whose facts changed (`dirty`) or whose next event is due are stepped, so a
    /// day costs what happens on it, not the number of clients.
    public func runBilling(through date: LocalDate) throws -> BillingRunReport {
        var report = BillingRunReport()
        var day = try read { db, _ -> LocalDate? in
            if let last = try Self.lastRun(db) { return last.adding(days: 1) }
            return try db.queryOne("SELECT min(start_on) FROM terms") { try $0.optionalDate("min(start_on)") } ?? nil
        }
        while let d = day, d <= date {
            try write { db, settings in
                guard try db.scalarInt("SELECT count(*) FROM billing_runs WHERE run_date = ?", [d]) == 0 else { return }
                let (stepped, issued, delta) = try Self.runDay(db, settings, d)
                try db.run(
                    "INSERT INTO billing_runs(run_date, clients_stepped, documents_issued) VALUES (?, ?, ?)",
                    [d, stepped, issued])
                report.dates.append(d)
                report.clientsStepped += stepped
                report.documentsIssued += issued
                report.delta.merge(delta)
            }
            day = d.adding(days: 1)
        }
        return report
    }

    static func runDay(_ db: Database, _ settings: Settings, _ d: LocalDate) throws -> (Int, Int, WalledGardenDelta) {
        // Two indexed look-ups: an OR over both columns makes SQLite scan every client.
        let ids = Set(
            try db.queryAll(
                "SELECT id FROM clients WHERE dirty = 1 UNION ALL SELECT id FROM clients WHERE next_event_on <= ?", [d]
            ) { $0.int(0) }
        ).sorted()
        let day = BillingDay(settings: settings)
        var issued = 0
        var delta = WalledGardenDelta()
        for id in ids {
            let (state, records) = try loadState(db, settings, clientId: id)
            let outcome = day.step(state, on: d, mode: .dailyRun)
            let applied = try apply(db, outcome, state: state, records: records, on: d, reason: "daily run")
            issued += applied.documentIds.count
            delta.merge(applied.delta)
        }
        return (ids.count, issued, delta)
    }

    /// Runs one client's step for an action dated `date` (after the facts were changed in the
    /// same transaction) and writes it.
    static func stepClient(
        _ db: Database, _ settings: Settings, clientId: Int64, on date: LocalDate,
        payment: (id: Int64, amount: Money)? = nil, reason: String
    ) throws -> Applied {
        let (state, records) = try loadState(db, settings, clientId: clientId)
        let outcome = BillingDay(settings: settings).step(state, on: date, mode: .action, payment: payment?.amount)
        let applied = try apply(
            db, outcome, state: state, records: records, on: date, paymentId: payment?.id,
            reason: reason)
        if let p = payment {
            try db.run("UPDATE payments SET credit_added = ? WHERE id = ?", [outcome.paymentCreditAdded, p.id])
        }
        return applied
    }

    /// Actions that issue documents are dated on their effective date, which may not be before
    /// the last completed run: documents are numbered in the order they are issued.
    static func checkNotBackdated(_ db: Database, _ date: LocalDate, field: String) throws {
        if let last = try lastRun(db), date < last {
            throw BillingError.backdated(field: field, date: date, lastRun: last)
        }
    }
}
