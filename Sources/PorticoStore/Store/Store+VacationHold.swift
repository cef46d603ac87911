import PorticoCore

/// What a vacation-hold action issues (or, for a preview, would issue).
public struct HoldResult: Sendable {
    /// The primary service (id 0 in a preview).
    public var primary: ServiceRecord
    public var documents: [DocumentDraft]
    /// Ids of the documents issued; empty for a preview.
    public var documentIds: [Int64]
    public var delta: WalledGardenDelta
}

extension Store {
    /// Activates a vacation hold on `secondaryId` (SPEC §7): a primary service on `planId` for
    /// `[from, addMonths(from, months))`, and at once the credit note for the secondary's days
    /// inside the hold and the prorated charge for the primary, dated `from`.
    public func activateHold(secondaryId: Int64, planId: Int64, from: LocalDate, months: Int?) throws -> HoldResult {
        try write { db, settings in try Self.hold(db, settings, secondaryId, planId, from, months, commit: true) }
    }

    /// Exactly the documents `activateHold` would issue, computed by the same code in a
    /// transaction that is rolled back: nothing is written.
    public func previewHold(secondaryId: Int64, planId: Int64, from: LocalDate, months: Int?) throws -> HoldResult {
        try dryRun(newPrimary: true) { db, settings in
            try Self.hold(db, settings, secondaryId, planId, from, months, commit: false)
        }
    }

    /// Exactly the documents `endHold` would issue, without writing anything.
    public func previewEndHold(primaryId: Int64, on: LocalDate) throws -> HoldResult {
        try dryRun(newPrimary: false) { db, settings in try Self.endHold(db, settings, primaryId, on) }
    }

    /// Runs a hold action in a transaction that is rolled back; a primary it would create shows id 0.
    func dryRun(newPrimary: Bool, _ body: (Database, Settings) throws -> HoldResult) throws -> HoldResult {
        try locked { inner in
            let db = inner.db
            let settings = inner.settings
            var result: HoldResult?
            do {
                _ = try db.transaction { () throws -> Void in
                    result = try body(db, settings)
                    throw PreviewRollback()
                }
            } catch is PreviewRollback {}
            result!.documentIds = []
            if newPrimary { result!.primary.service.id = 0 }
            result!.delta = WalledGardenDelta()
            return result!
        }
    }

    struct PreviewRollback: Error {}

    static func hold(
        _ db: Database, _ settings: Settings, _ secondaryId: Int64, _ planId: Int64, _ from: LocalDate,
        _ months: Int?, commit: Bool
    ) throws -> HoldResult {
        try checkNotBackdated(db, from, field: "from")
        let secondary = try serviceRecord(db, secondaryId, on: from)
        let plan = try plan(db, planId)
        let all = try loadServices(db, clientId: secondary.service.clientId).map(\.service)
        let primary = try VacationHold.primary(
            overriding: secondary.service, among: all, plan: plan, from: from,
            months: months ?? settings.vacationHold.defaultMonths)
        try db.run(
            "INSERT INTO services(client_id, plan_id, billing_period_months, invoicing_type, override_role) VALUES (?, ?, ?, ?, 'primary')",
            [primary.clientId, plan.id, primary.billingPeriodMonths, primary.invoicingType?.rawValue])
        let id = db.lastInsertRowID
        try insertAddresses(db, id, primary.addresses)
        let term = primary.terms[0]
        try db.run(
            "INSERT INTO terms(service_id, start_on, end_on, anchor_on, period_months) VALUES (?, ?, ?, ?, ?)",
            [id, term.start, term.end, term.anchor, term.periodMonths])
        try audit(
            db, on: from, clientId: primary.clientId, serviceId: secondaryId, event: "vacation hold",
            reason: "\(plan.name) \(term.range)")
        return try holdOutcome(
            db, settings, clientId: primary.clientId, primaryId: id, on: from, reason: "vacation hold")
    }

    /// Ends a hold early on `on`: the primary's term ends that day; the engine credits the
    /// primary's invoiced days after it and bills the secondary for the rest of that cycle.
    public func endHold(primaryId: Int64, on: LocalDate) throws -> HoldResult {
        try write { db, settings in try Self.endHold(db, settings, primaryId, on) }
    }

    static func endHold(_ db: Database, _ settings: Settings, _ primaryId: Int64, _ on: LocalDate) throws -> HoldResult
    {
        try checkNotBackdated(db, on, field: "on")
        let primary = try serviceRecord(db, primaryId, on: on)
        let ended = try VacationHold.endEarly(primary.service, on: on)
        try db.run("UPDATE terms SET end_on = ? WHERE id = ?", [on, ended.terms.last!.id])
        try audit(
            db, on: on, clientId: primary.service.clientId, serviceId: primaryId,
            event: "vacation hold ended", reason: "ended early on \(on)")
        return try holdOutcome(
            db, settings, clientId: primary.service.clientId, primaryId: primaryId, on: on,
            reason: "vacation hold ended")
    }

    static func holdOutcome(
        _ db: Database, _ settings: Settings, clientId: Int64, primaryId: Int64, on date: LocalDate,
        reason: String
    ) throws -> HoldResult {
        let (state, records) = try loadState(db, settings, clientId: clientId)
        let outcome = BillingDay(settings: settings).step(state, on: date, mode: .action)
        let applied = try apply(db, outcome, state: state, records: records, on: date, reason: reason)
        return HoldResult(
            primary: try serviceRecord(db, primaryId, on: date), documents: outcome.documents,
            documentIds: applied.documentIds, delta: applied.delta)
    }
}

// The hold a service is under, for the admin's client page.
extension Store {
    /// The primary of `serviceId`'s client that covers `date` or starts after it: the hold a
    /// secondary is (or will be) under. For a primary, itself.
    public func holdPrimary(of serviceId: Int64, on date: LocalDate) throws -> ServiceRecord? {
        let service = try self.service(serviceId, on: date)
        if service.service.overrideRole == .primary { return service }
        guard service.service.overrideRole == .secondary else { return nil }
        return try services(clientId: service.service.clientId, on: date).first { r in
            r.service.overrideRole == .primary
                && r.service.terms.contains { $0.end.map { $0 > date } ?? true }
        }
    }
}
