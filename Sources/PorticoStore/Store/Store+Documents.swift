import PorticoCore

extension Store {
    /// A client's invoices and credit notes with their lines, in issue order.
    public func documents(clientId: Int64) throws -> [DocumentRecord] {
        try read { db, _ in
            _ = try Self.client(db, clientId)
            return try Self.documents(db, where: "d.client_id = ?", [clientId])
        }
    }

    public func document(_ id: Int64) throws -> DocumentRecord {
        try read { db, _ in
            guard let d = try Self.documents(db, where: "d.id = ?", [id]).first else {
                throw BillingError.notFound(kind: "document", id: String(id))
            }
            return d
        }
    }

    static func documents(_ db: Database, where clause: String, _ params: [any SQLBindable]) throws -> [DocumentRecord]
    {
        var docs = try db.queryAll(
            """
            SELECT d.*, s.paid AS paid,
              (SELECT coalesce(sum(c.total), 0) FROM documents c WHERE c.corrects = d.id) AS credited
            FROM documents d LEFT JOIN invoice_state s ON s.document_id = d.id WHERE \(clause) ORDER BY d.id
            """, params
        ) { row in
            let kind = DocumentDraft.Kind(rawValue: row.string("kind")) ?? .invoice
            let total = row.money("total")
            let paid = Money(row.optionalInt("paid") ?? 0)
            let credited = row.money("credited")
            let status: DocumentRecord.Status
            if kind == .creditNote {
                status = .paid
            } else if total > .zero && credited >= total {
                status = .void
            } else if paid >= total {
                status = .paid
            } else {
                status = paid > .zero ? .partial : .unpaid
            }
            return DocumentRecord(
                id: row.int("id"), kind: kind, number: row.string("number"), clientId: row.int("client_id"),
                issuedOn: try row.date("issued_on"), dueOn: try row.date("due_on"), total: total,
                amountPaid: kind == .invoice ? paid : total, status: status, corrects: row.optionalInt("corrects"),
                lines: [])
        }
        guard !docs.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (i, d) in docs.enumerated() { index[d.id] = i }
        try db.query(
            """
            SELECT l.document_id, l.service_id, l.description, l.from_on, l.to_on, l.amount FROM document_lines l
            JOIN documents d ON d.id = l.document_id WHERE \(clause) ORDER BY l.id
            """, params
        ) { row in
            guard let i = index[row.int(0)] else { return }
            let amount = Money(row.int(5))
            docs[i].lines.append(
                DocumentRecord.Line(
                    serviceId: row.int(1), description: row.string(2),
                    range: DayRange(try row.date("from_on"), try row.date("to_on")),
                    amount: amount < .zero ? -amount : amount))
        }
        return docs
    }
}
