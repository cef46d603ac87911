import PorticoCore

extension Store {
    /// Creates a plan after validating every field.
    public func createPlan(_ plan: Plan) throws -> Plan {
        try plan.validate()
        return try write { db, _ in
            if try db.scalarInt("SELECT count(*) FROM plans WHERE name = ?", [plan.name])! > 0 {
                throw BillingError.invalidField("name", "a plan named '\(plan.name)' already exists")
            }
            try db.run(
                "INSERT INTO plans(name, monthly_price, billing_periods, period_prices, override_role) VALUES (?, ?, ?, ?, ?)",
                [
                    plan.name, plan.monthlyPrice, Codec.periods(plan.billingPeriods), Codec.prices(plan.periodPrices),
                    plan.overrideRole.rawValue,
                ])
            var out = plan
            out.id = db.lastInsertRowID
            return out
        }
    }

    public func plans() throws -> [Plan] {
        try read { db, _ in try db.queryAll("SELECT * FROM plans ORDER BY id", [], Self.plan) }
    }

    public func plan(_ id: Int64) throws -> Plan {
        try read { db, _ in try Self.plan(db, id) }
    }

    static func plan(_ db: Database, _ id: Int64) throws -> Plan {
        guard let p = try db.queryOne("SELECT * FROM plans WHERE id = ?", [id], plan) else {
            throw BillingError.notFound(kind: "plan", id: String(id))
        }
        return p
    }

    static func plan(_ row: Row) throws -> Plan {
        Plan(
            id: row.int("id"), name: row.string("name"), monthlyPrice: row.money("monthly_price"),
            billingPeriods: Codec.periods(row.string("billing_periods")),
            periodPrices: Codec.prices(row.string("period_prices")),
            overrideRole: OverrideRole(rawValue: row.string("override_role")) ?? .secondary)
    }
}
