import PorticoCore

extension Store {
    /// Creates a service with its first term `[activeFrom, activeTo]`. The next billing run
    /// bills it (from `activeFrom`, also when that is in the past).
    public func createService(_ new: NewService, on date: LocalDate) throws -> ServiceRecord {
        try write { db, settings in
            _ = try Self.client(db, new.clientId)
            let plan = try Self.plan(db, new.planId)
            let period = new.billingPeriodMonths ?? plan.billingPeriods[0]
            guard plan.billingPeriods.contains(period) else {
                throw BillingError.periodNotAllowed(plan: plan.name, months: period, allowed: plan.billingPeriods)
            }
            if let p = new.price, p < .zero { throw BillingError.invalidField("price", "must not be negative") }
            if let to = new.activeTo, to < new.activeFrom {
                throw BillingError.invalidField("activeTo", "\(to) is before activeFrom \(new.activeFrom)")
            }
            let role = new.overrideRole ?? plan.overrideRole
            let addresses = try Self.parseAddresses(new.addresses)
            try Self.checkAddresses(db, addresses, clientId: new.clientId, role: role, excluding: nil)
            try db.run(
                "INSERT INTO services(client_id, plan_id, price, billing_period_months, invoicing_type, override_role) VALUES (?, ?, ?, ?, ?, ?)",
                [new.clientId, new.planId, new.price, period, new.invoicingType?.rawValue, role.rawValue])
            let id = db.lastInsertRowID
            try Self.insertAddresses(db, id, addresses)
            try db.run(
                "INSERT INTO terms(service_id, start_on, end_on, anchor_on, period_months) VALUES (?, ?, ?, ?, ?)",
                [id, new.activeFrom, new.activeTo?.adding(days: 1), new.activeFrom, period])
            try Self.audit(
                db, on: date, clientId: new.clientId, serviceId: id, event: "service created",
                reason: "plan \(plan.name)")
            // Nothing can happen for a new service before its first day (less the days invoices
            // are created in advance), so its client is due then rather than in the next run.
            try db.run(
                "UPDATE clients SET next_event_on = min(coalesce(next_event_on, ?), ?) WHERE id = ?",
                [
                    new.activeFrom.adding(days: -settings.invoicing.createDaysInAdvance),
                    new.activeFrom.adding(days: -settings.invoicing.createDaysInAdvance), new.clientId,
                ])
            return try Self.serviceRecord(db, id, on: date)
        }
    }

    /// Changes a service. Manual changes of roles and dates are billed by the next daily run.
    public func updateService(_ id: Int64, _ patch: ServicePatch, on date: LocalDate) throws -> ServiceRecord {
        try write { db, _ in
            let current = try Self.serviceRecord(db, id, on: date)
            let clientId = current.service.clientId
            if let role = patch.overrideRole {
                try db.run("UPDATE services SET override_role = ? WHERE id = ?", [role.rawValue, id])
            }
            if let price = patch.price {
                if let p = price, p < .zero { throw BillingError.invalidField("price", "must not be negative") }
                try db.run("UPDATE services SET price = ? WHERE id = ?", [price, id])
            }
            if let type = patch.invoicingType {
                try db.run("UPDATE services SET invoicing_type = ? WHERE id = ?", [type?.rawValue, id])
            }
            if let list = patch.addresses {
                let addresses = try Self.parseAddresses(list)
                try Self.checkAddresses(
                    db, addresses, clientId: clientId,
                    role: patch.overrideRole ?? current.service.overrideRole, excluding: id)
                try db.run("DELETE FROM service_addresses WHERE service_id = ?", [id])
                try Self.insertAddresses(db, id, addresses)
            }
            if let activeTo = patch.activeTo {
                guard let last = current.service.terms.last else {
                    throw BillingError.notAllowed("service \(id) has no term")
                }
                if let to = activeTo, to < last.start {
                    throw BillingError.invalidField(
                        "activeTo", "\(to) is before the start of the last term (\(last.start))")
                }
                try db.run("UPDATE terms SET end_on = ? WHERE id = ?", [activeTo?.adding(days: 1), last.id])
            }
            try Self.audit(db, on: date, clientId: clientId, serviceId: id, event: "service changed", reason: "")
            try Self.markDirty(db, clientId)
            return try Self.serviceRecord(db, id, on: date)
        }
    }

    public func service(_ id: Int64, on date: LocalDate) throws -> ServiceRecord {
        try read { db, _ in try Self.serviceRecord(db, id, on: date) }
    }

    public func services(clientId: Int64? = nil, on date: LocalDate) throws -> [ServiceRecord] {
        try read { db, _ in
            let ids =
                try clientId.map { try Self.loadServices(db, clientId: $0).map(\.service.id) }
                ?? db.queryAll("SELECT id FROM services ORDER BY id") { $0.int(0) }
            return try ids.map { try Self.serviceRecord(db, $0, on: date) }
        }
    }

    static func serviceRecord(_ db: Database, _ id: Int64, on date: LocalDate) throws -> ServiceRecord {
        guard let clientId = try db.scalarInt("SELECT client_id FROM services WHERE id = ?", [id]) else {
            throw BillingError.notFound(kind: "service", id: String(id))
        }
        let all = try loadServices(db, clientId: clientId)
        let suspensions = try loadSuspensions(db, clientId: clientId)
        var record = all.first { $0.service.id == id }!
        record.status = StatusRules.status(
            of: record.service, among: all.map(\.service), suspensions: suspensions,
            on: date)
        return record
    }

    /// A client's services with plan prices, addresses and terms; `status` is the stored one.
    static func loadServices(_ db: Database, clientId: Int64) throws -> [ServiceRecord] {
        var records = try db.queryAll(
            """
            SELECT s.*, p.name AS plan_name, p.monthly_price AS plan_price, p.period_prices AS plan_prices
            FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.client_id = ? ORDER BY s.id
            """, [clientId]
        ) { row in
            let custom = row.optionalInt("price").map { Money($0) }
            let service = Service(
                id: row.int("id"), clientId: clientId, planId: row.int("plan_id"), planName: row.string("plan_name"),
                monthlyPrice: custom ?? row.money("plan_price"),
                periodPrices: custom == nil ? Codec.prices(row.string("plan_prices")) : [:],
                billingPeriodMonths: Int(row.int("billing_period_months")),
                invoicingType: row.optionalString("invoicing_type").flatMap(InvoicingType.init(rawValue:)),
                overrideRole: OverrideRole(rawValue: row.string("override_role")) ?? .secondary)
            let stored = ServiceStatus(rawValue: row.string("status")) ?? .pending
            return ServiceRecord(service: service, customPrice: custom, status: stored, storedStatus: stored)
        }
        guard !records.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (i, r) in records.enumerated() { index[r.service.id] = i }
        try db.query(
            // No ORDER BY: each service's rows come in its index's order, and a sort would cost a
            // temporary B-tree on every step of the daily run.
            "SELECT a.service_id, a.address FROM service_addresses a JOIN services s ON s.id = a.service_id WHERE s.client_id = ?",
            [clientId]
        ) { row in
            if let i = index[row.int(0)], let p = try? IPPrefix(row.string(1)) {
                records[i].service.addresses.append(p)
            }
        }
        try db.query(
            "SELECT t.* FROM terms t JOIN services s ON s.id = t.service_id WHERE s.client_id = ?",
            [clientId]
        ) { row in
            if let i = index[row.int("service_id")] {
                records[i].service.terms.append(
                    Term(
                        id: row.int("id"), start: try row.date("start_on"), end: try row.optionalDate("end_on"),
                        anchor: try row.date("anchor_on"), periodMonths: Int(row.int("period_months")),
                        prepaid: row.bool("prepaid")))
            }
        }
        for i in records.indices where records[i].service.terms.count > 1 {
            records[i].service.terms.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        }
        return records
    }

    static func markDirty(_ db: Database, _ clientId: Int64) throws {
        try db.run("UPDATE clients SET dirty = 1 WHERE id = ?", [clientId])
    }

    static func audit(
        _ db: Database, on date: LocalDate, clientId: Int64?, serviceId: Int64?, event: String,
        from: ServiceStatus? = nil, to: ServiceStatus? = nil, reason: String
    ) throws {
        try db.run(
            "INSERT INTO audit_log(on_date, client_id, service_id, event, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [date, clientId, serviceId, event, from?.rawValue, to?.rawValue, reason])
    }
}
