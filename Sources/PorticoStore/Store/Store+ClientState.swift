import PorticoCore

extension Store {
    /// Loads everything the billing core needs to know about one client.
    static func loadState(_ db: Database, _ settings: Settings, clientId: Int64) throws -> (
        ClientState, [ServiceRecord]
    ) {
        guard
            let (useCredit, credit) = try db.queryOne(
                "SELECT use_credit, credit FROM clients WHERE id = ?", [clientId],
                {
                    ($0.optionalBool(0), $0.money("credit"))
                })
        else { throw BillingError.notFound(kind: "client", id: String(clientId)) }
        let records = try loadServices(db, clientId: clientId)
        var state = ClientState(
            clientId: clientId, useCredit: useCredit ?? settings.invoicing.useCreditAutomatically,
            services: records.map(\.service), suspensions: try loadSuspensions(db, clientId: clientId),
            credit: credit)
        try db.query(
            """
            SELECT l.document_id, l.service_id, l.term_id, l.cycle, l.cycle_price, l.from_on, l.to_on, l.amount
            FROM document_lines l JOIN services s ON s.id = l.service_id WHERE s.client_id = ?
            """, [clientId]
        ) { row in
            // Rows come per service in the index's (service_id, rowid) order, so each cycle's
            // lines arrive in issue order, which is what the engine replays; no sort needed.
            state.issued.append(
                IssuedLine(
                    documentId: row.int(0), serviceId: row.int(1), termId: row.int(2), cycle: Int(row.int(3)),
                    cyclePrice: Money(row.int(4)), range: DayRange(try row.date("from_on"), try row.date("to_on")),
                    amount: Money(row.int(7))))
        }
        state.open = try loadOpenInvoices(db, clientId: clientId)
        return (state, records)
    }

    static func loadOpenInvoices(_ db: Database, clientId: Int64) throws -> [OpenInvoice] {
        try db.queryAll(
            """
            SELECT d.id, d.issued_on, d.due_on, d.total, s.paid, s.postponed FROM invoice_state s
            JOIN documents d ON d.id = s.document_id WHERE s.client_id = ? AND s.open = 1 ORDER BY d.due_on, d.id
            """, [clientId]
        ) { row in
            OpenInvoice(
                id: row.int("id"), issuedOn: try row.date("issued_on"), dueOn: try row.date("due_on"),
                total: row.money("total"), paid: row.money("paid"), postponed: row.bool("postponed"))
        }
    }

    static func loadSuspensions(_ db: Database, clientId: Int64) throws -> [Suspension] {
        try db.queryAll(
            "SELECT u.* FROM suspensions u JOIN services s ON s.id = u.service_id WHERE s.client_id = ? ORDER BY u.id",
            [clientId]
        ) { row in
            Suspension(
                id: row.int("id"), serviceId: row.int("service_id"), from: try row.date("from_on"),
                to: try row.optionalDate("to_on"),
                reason: SuspensionReason(rawValue: row.string("reason")) ?? .admin, note: row.string("note"))
        }
    }

    /// What `apply` wrote, for callers that report it.
    struct Applied {
        var documentIds: [Int64] = []
        var delta = WalledGardenDelta()
        var statusChanges: [(serviceId: Int64, from: ServiceStatus, to: ServiceStatus)] = []
    }

    /// Writes one step's outcome inside the caller's transaction: documents with gap-free numbers,
    /// settlement, credit, suspensions, statuses with their audit entries, and the client's next
    /// event date.
    static func apply(
        _ db: Database, _ outcome: StepOutcome, state: ClientState, records: [ServiceRecord],
        on date: LocalDate, paymentId: Int64? = nil, reason: String
    ) throws -> Applied {
        var applied = Applied()
        for doc in outcome.documents {
            let seq = try db.scalarInt(
                "UPDATE document_sequences SET last = last + 1 WHERE kind = ? RETURNING last",
                [doc.kind.rawValue])!
            let number = (doc.kind == .invoice ? "INV-" : "CN-") + LocalDate.pad(Int(seq), 6)
            let corrects: Int64? = doc.corrects.map { ref in
                switch ref {
                case .existing(let id): id
                case .new(let i): applied.documentIds[i]
                }
            }
            try db.run(
                "INSERT INTO documents(kind, seq, number, client_id, issued_on, due_on, total, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [doc.kind.rawValue, seq, number, state.clientId, doc.issuedOn, doc.dueOn, doc.total, corrects])
            let id = db.lastInsertRowID
            applied.documentIds.append(id)
            for l in doc.lines {
                try db.run(
                    """
                    INSERT INTO document_lines(document_id, service_id, term_id, cycle, cycle_start, cycle_end,
                        cycle_price, from_on, to_on, amount, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        id, l.serviceId, l.termId, l.cycle, l.cycleRange.start, l.cycleRange.end, l.cyclePrice,
                        l.range.start, l.range.end, l.amount, l.description,
                    ])
            }
            if doc.kind == .invoice {
                try db.run(
                    "INSERT INTO invoice_state(document_id, client_id, open) VALUES (?, ?, ?)",
                    [id, state.clientId, doc.total > .zero])
            }
        }
        for a in outcome.allocations {
            let invoiceId = resolve(a.invoice, applied.documentIds)
            var payment: Int64?
            var creditNote: Int64?
            switch a.source {
            case .payment: payment = paymentId
            case .creditNote(let ref): creditNote = resolve(ref, applied.documentIds)
            case .credit: break
            }
            try db.run(
                "INSERT INTO allocations(invoice_id, amount, payment_id, credit_note_id, applied_on) VALUES (?, ?, ?, ?, ?)",
                [invoiceId, a.amount, payment, creditNote, date])
            try db.run(
                """
                UPDATE invoice_state SET paid = paid + ?,
                    open = (paid + ? < (SELECT total FROM documents WHERE id = ?)) WHERE document_id = ?
                """, [a.amount, a.amount, invoiceId, invoiceId])
        }
        for s in outcome.suspensionsOpened {
            try db.run(
                "INSERT INTO suspensions(service_id, from_on, reason, note) VALUES (?, ?, ?, ?)",
                [s.serviceId, s.from, s.reason.rawValue, s.note])
        }
        for id in outcome.suspensionsClosed {
            try db.run("UPDATE suspensions SET to_on = ? WHERE id = ?", [date, id])
        }
        try db.run(
            "UPDATE clients SET credit = ?, next_event_on = ?, dirty = 0 WHERE id = ?",
            [outcome.creditAfter, outcome.nextEventOn, state.clientId])

        var before: [(service: Service, status: ServiceStatus)] = []
        var after: [(service: Service, status: ServiceStatus)] = []
        for r in records {
            let old = r.storedStatus
            let new = outcome.statuses[r.service.id] ?? old
            before.append((r.service, old))
            after.append((r.service, new))
            guard new != old else { continue }
            applied.statusChanges.append((r.service.id, old, new))
            try db.run("UPDATE services SET status = ? WHERE id = ?", [new.rawValue, r.service.id])
            try audit(
                db, on: date, clientId: state.clientId, serviceId: r.service.id, event: "status",
                from: old, to: new, reason: statusReason(old, new, outcome: outcome, fallback: reason))
        }
        let stoppedBefore = StatusRules.stoppedAddresses(before)
        let stoppedAfter = StatusRules.stoppedAddresses(after)
        applied.delta = WalledGardenDelta(
            suspend: stoppedAfter.subtracting(stoppedBefore),
            release: stoppedBefore.subtracting(stoppedAfter))
        try queueMessages(
            db, applied, outcome: outcome, records: records, clientId: state.clientId, on: date,
            reason: reason)
        return applied
    }

    static func resolve(_ ref: DocumentRef, _ ids: [Int64]) -> Int64 {
        switch ref {
        case .existing(let id): id
        case .new(let i): ids[i]
        }
    }

    static func statusReason(_ from: ServiceStatus, _ to: ServiceStatus, outcome: StepOutcome, fallback: String)
        -> String
    {
        switch (from, to) {
        case (_, .suspended) where !outcome.suspensionsOpened.isEmpty: "unpaid overdue invoices"
        case (.suspended, _) where !outcome.suspensionsClosed.isEmpty: "overdue invoices settled"
        case (_, .ended): "term ended"
        case (.pending, .active): "term started"
        case (_, .overridden): "vacation hold started"
        case (.overridden, .active): "vacation hold ended"
        default: fallback
        }
    }
}
