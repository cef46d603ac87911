import PorticoCore

/// One inconsistency found by `ledgerCheck`.
public struct LedgerProblem: Hashable, Sendable, CustomStringConvertible {
    public var clientId: Int64
    public var message: String
    public var description: String { "client \(clientId): \(message)" }
}

extension Store {
    /// Verifies SPEC §4 over the whole database: for every client, invoices − credit notes −
    /// payments = balance due − credit, each invoice's paid amount equals what was allocated to it,
    /// the credit equals payments + credit notes − allocations; and for every service and cycle,
    /// what was billed and credited equals the prorated figure of the days billed.
    public func ledgerCheck() throws -> [LedgerProblem] {
        try read { db, _ in
            var problems: [LedgerProblem] = []
            let clients = try db.queryAll("SELECT id, credit FROM clients ORDER BY id") {
                ($0.int(0), Money($0.int(1)))
            }
            for (id, credit) in clients {
                func sum(_ sql: String) throws -> Money { Money(try db.scalarInt(sql, [id]) ?? 0) }
                let invoices = try sum(
                    "SELECT coalesce(sum(total), 0) FROM documents WHERE client_id = ? AND kind = 'invoice'")
                let credits = try sum(
                    "SELECT coalesce(sum(total), 0) FROM documents WHERE client_id = ? AND kind = 'creditNote'")
                let payments = try sum("SELECT coalesce(sum(amount), 0) FROM payments WHERE client_id = ?")
                let allocated = try sum(
                    "SELECT coalesce(sum(a.amount), 0) FROM allocations a JOIN documents d ON d.id = a.invoice_id WHERE d.client_id = ?"
                )
                let balanceDue = try sum(
                    "SELECT coalesce(sum(d.total - s.paid), 0) FROM invoice_state s JOIN documents d ON d.id = s.document_id WHERE s.client_id = ?"
                )
                if invoices - credits - payments != balanceDue - credit {
                    problems.append(
                        LedgerProblem(
                            clientId: id,
                            message:
                                "invoices \(invoices) − credit notes \(credits) − payments \(payments) ≠ balance due \(balanceDue) − credit \(credit)"
                        ))
                }
                if credit != payments + credits - allocated {
                    problems.append(
                        LedgerProblem(
                            clientId: id,
                            message:
                                "credit \(credit) ≠ payments \(payments) + credit notes \(credits) − allocated \(allocated)"
                        ))
                }
                try db.query(
                    """
                    SELECT d.number, d.total, s.paid, s.open, (SELECT coalesce(sum(amount), 0) FROM allocations WHERE invoice_id = d.id)
                    FROM documents d JOIN invoice_state s ON s.document_id = d.id WHERE d.client_id = ?
                    """, [id]
                ) { row in
                    let (total, paid, allocatedHere) = (row.int(1), row.int(2), row.int(4))
                    if paid != allocatedHere || paid > total || row.bool(3) != (paid < total) {
                        problems.append(
                            LedgerProblem(
                                clientId: id,
                                message:
                                    "invoice \(row.string(0)): total \(total), paid \(paid), allocated \(allocatedHere), open \(row.bool(3))"
                            ))
                    }
                }
            }
            try Self.checkCycles(db, &problems)
            return problems
        }
    }

    /// For every (service, term, cycle): the net amount equals roundHalfUp(price × days / cycleDays).
    static func checkCycles(_ db: Database, _ problems: inout [LedgerProblem]) throws {
        struct Key: Hashable { var service: Int64, term: Int64, cycle: Int64 }
        struct Acc {
            var client: Int64; var price: Money; var cycle: DayRange; var days = DaySet(); var amount = Money.zero
        }
        var cycles: [Key: Acc] = [:]
        try db.query(
            """
            SELECT d.client_id, l.service_id, l.term_id, l.cycle, l.cycle_price, l.cycle_start, l.cycle_end,
                   l.from_on, l.to_on, l.amount FROM document_lines l JOIN documents d ON d.id = l.document_id ORDER BY l.id
            """
        ) { row in
            let key = Key(service: row.int(1), term: row.int(2), cycle: row.int(3))
            let range = DayRange(try row.date("from_on"), try row.date("to_on"))
            let amount = Money(row.int(9))
            let cycle = DayRange(try row.date("cycle_start"), try row.date("cycle_end"))
            var acc = cycles[key] ?? Acc(client: row.int(0), price: Money(row.int(4)), cycle: cycle)
            if amount < .zero { acc.days.remove(range) } else { acc.days.insert(range) }
            acc.amount = acc.amount + amount
            cycles[key] = acc
        }
        for (key, acc) in cycles {
            let due = acc.price.prorated(acc.days.count, over: acc.cycle.count)
            if due != acc.amount {
                problems.append(
                    LedgerProblem(
                        clientId: acc.client,
                        message:
                            "service \(key.service) cycle \(acc.cycle): billed \(acc.amount) for \(acc.days.count) days, prorated figure is \(due)"
                    ))
            }
        }
    }
}
