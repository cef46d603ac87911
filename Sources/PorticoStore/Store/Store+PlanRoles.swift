import PorticoCore

// A plan's default override role, and the services on it whose role differs.
extension Store {
    /// Changes a plan's default override role. Existing services keep the role they have (it was
    /// copied when each was created); returns how many services on the plan have another role.
    public func setPlanRole(_ planId: Int64, _ role: OverrideRole, on date: LocalDate, by actor: String) throws
        -> (plan: Plan, servicesWithOtherRole: Int)
    {
        try write { db, _ in
            let plan = try Self.plan(db, planId)
            try db.run("UPDATE plans SET override_role = ? WHERE id = ?", [role.rawValue, planId])
            try Self.audit(
                db, on: date, clientId: nil, serviceId: nil, event: "plan role changed",
                reason:
                    "by \(actor): \(plan.name) \(plan.overrideRole.rawValue) → \(role.rawValue); existing services unchanged"
            )
            return (try Self.plan(db, planId), try Self.servicesWithOtherRole(db, planId))
        }
    }

    /// Services on each plan whose role is not the plan's (plan id → count).
    public func servicesWithOtherRole() throws -> [Int64: Int] {
        try read { db, _ in
            var out: [Int64: Int] = [:]
            try db.query(
                "SELECT s.plan_id, count(*) FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.override_role != p.override_role GROUP BY s.plan_id"
            ) { out[$0.int(0)] = Int($0.int(1)) }
            return out
        }
    }

    static func servicesWithOtherRole(_ db: Database, _ planId: Int64) throws -> Int {
        Int(
            try db.scalarInt(
                "SELECT count(*) FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.plan_id = ? AND s.override_role != p.override_role",
                [planId]) ?? 0)
    }
}
