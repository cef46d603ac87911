import PorticoCore

extension Store {
    /// Suspends a service by hand from `date`, with a reason.
    public func suspend(serviceId: Int64, on date: LocalDate, reason: String) throws -> WalledGardenDelta {
        if reason.trimmingCharacters(in: " ").isEmpty { throw BillingError.invalidField("reason", "must not be empty") }
        return try write { db, settings in
            let record = try Self.serviceRecord(db, serviceId, on: date)
            guard record.service.term(covering: date) != nil else {
                throw BillingError.notAllowed("service \(serviceId) is \(record.status.rawValue) on \(date)")
            }
            if try db.scalarInt(
                "SELECT count(*) FROM suspensions WHERE service_id = ? AND reason = 'admin' AND to_on IS NULL",
                [serviceId])! > 0
            {
                throw BillingError.notAllowed("service \(serviceId) is already suspended by an admin")
            }
            try db.run(
                "INSERT INTO suspensions(service_id, from_on, reason, note) VALUES (?, ?, 'admin', ?)",
                [serviceId, date, reason])
            try Self.audit(
                db, on: date, clientId: record.service.clientId, serviceId: serviceId,
                event: "suspended by admin", reason: reason)
            return try Self.stepClient(db, settings, clientId: record.service.clientId, on: date, reason: reason).delta
        }
    }

    /// Releases a service by hand: ends every open suspension of it on `date`. If its client
    /// still owes, the next daily run suspends it again.
    public func release(serviceId: Int64, on date: LocalDate, reason: String) throws -> WalledGardenDelta {
        if reason.trimmingCharacters(in: " ").isEmpty { throw BillingError.invalidField("reason", "must not be empty") }
        return try write { db, settings in
            let record = try Self.serviceRecord(db, serviceId, on: date)
            try db.run(
                "UPDATE suspensions SET to_on = max(from_on, ?) WHERE service_id = ? AND to_on IS NULL",
                [date, serviceId])
            guard db.changes > 0 else { throw BillingError.notAllowed("service \(serviceId) is not suspended") }
            try Self.audit(
                db, on: date, clientId: record.service.clientId, serviceId: serviceId,
                event: "released by admin", reason: reason)
            return try Self.stepClient(db, settings, clientId: record.service.clientId, on: date, reason: reason).delta
        }
    }

    /// The client pushes its suspension back by `postponeDays`, once per overdue invoice.
    public func postpone(clientId: Int64, on date: LocalDate) throws -> WalledGardenDelta {
        try write { db, settings in
            guard settings.suspension.allowPostpone else { throw BillingError.notAllowed("postponing is not allowed") }
            let rule = SuspensionRule(settings: settings.suspension)
            let open = try Self.loadOpenInvoices(db, clientId: clientId)
            let candidates = rule.overdue(open, on: date).filter { !$0.postponed }
            guard !candidates.isEmpty else {
                throw BillingError.notAllowed("every overdue invoice has been postponed once already")
            }
            for inv in candidates {
                try db.run("UPDATE invoice_state SET postponed = 1 WHERE document_id = ?", [inv.id])
            }
            // The step releases the client if the postponed invoices no longer meet the rule.
            try Self.audit(
                db, on: date, clientId: clientId, serviceId: nil, event: "postponed",
                reason: "\(candidates.count) invoice(s) by \(settings.suspension.postponeDays) days")
            return try Self.stepClient(db, settings, clientId: clientId, on: date, reason: "postponed").delta
        }
    }

    /// Every address that belongs in the walled garden now, from the stored statuses.
    public func stoppedAddresses() throws -> Set<IPPrefix> {
        try read { db, _ in
            var byClient: [Int64: [(Service, ServiceStatus)]] = [:]
            try db.query(
                "SELECT s.id, s.client_id, s.status, s.override_role, a.address FROM services s JOIN service_addresses a ON a.service_id = s.id"
            ) { row in
                guard let p = try? IPPrefix(row.string(4)) else { return }
                let service = Service(
                    id: row.int(0), clientId: row.int(1), monthlyPrice: .zero,
                    overrideRole: OverrideRole(rawValue: row.string(3)) ?? .none, addresses: [p])
                byClient[row.int(1), default: []].append((service, ServiceStatus(rawValue: row.string(2)) ?? .pending))
            }
            return byClient.values.reduce(into: Set<IPPrefix>()) { $0.formUnion(StatusRules.stoppedAddresses($1)) }
        }
    }
}

extension Store {
    /// Whether an admin suspension covers the service on `date`.
    public func isSuspendedByAdmin(serviceId: Int64, on date: LocalDate) throws -> Bool {
        try read { db, _ in
            try db.scalarInt(
                "SELECT count(*) FROM suspensions WHERE service_id = ? AND reason = 'admin' AND from_on <= ? AND (to_on IS NULL OR to_on > ?)",
                [serviceId, date, date])! > 0
        }
    }
}
