/// An invoice that is not fully paid, as settlement and the suspension rule need it.
public struct OpenInvoice: Hashable, Sendable {
    public var id: Int64
    public var issuedOn: LocalDate
    public var dueOn: LocalDate
    public var total: Money
    public var paid: Money
    /// The client pushed its suspension back once for this invoice (SPEC §5).
    public var postponed: Bool

    public init(
        id: Int64, issuedOn: LocalDate, dueOn: LocalDate, total: Money, paid: Money = .zero,
        postponed: Bool = false
    ) {
        self.id = id
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.total = total
        self.paid = paid
        self.postponed = postponed
    }

    public var unpaid: Money { total - paid }
}

/// A reference to a document that may not have an id yet (issued in the same step).
public enum DocumentRef: Hashable, Sendable {
    case existing(Int64)
    /// Index into the step's new documents.
    case new(Int)
}

/// Money moved onto an invoice: from a payment, a credit note, or the client's credit.
public struct Allocation: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        case payment
        case creditNote(DocumentRef)
        case credit
    }
    public var invoice: DocumentRef
    public var amount: Money
    public var source: Source

    public init(invoice: DocumentRef, amount: Money, source: Source) {
        self.invoice = invoice
        self.amount = amount
        self.source = source
    }
}

/// The settlement rules of SPEC §4 over a client's open invoices and credit.
///
/// Invoices are paid oldest due first (then oldest issued, then lowest id). A credit note goes
/// first to the invoice it corrects while that is unpaid, the rest becomes credit.
public struct Settlement: Sendable {
    public var invoices: [(ref: DocumentRef, invoice: OpenInvoice)]
    public var credit: Money
    public private(set) var allocations: [Allocation] = []

    public init(open: [OpenInvoice], credit: Money) {
        invoices = open.map { (DocumentRef.existing($0.id), $0) }
        self.credit = credit
        sort()
    }

    mutating func sort() {
        invoices.sort { a, b in
            (a.invoice.dueOn, a.invoice.issuedOn, a.invoice.id) < (b.invoice.dueOn, b.invoice.issuedOn, b.invoice.id)
        }
    }

    public var openInvoices: [OpenInvoice] { invoices.map(\.invoice).filter { $0.unpaid > .zero } }

    public mutating func addInvoice(_ ref: DocumentRef, _ invoice: OpenInvoice) {
        invoices.append((ref, invoice))
        sort()
    }

    /// Applies `amount` from `source` to unpaid invoices oldest due first; returns what is left.
    @discardableResult
    mutating func spread(_ amount: Money, source: Allocation.Source) -> Money {
        var left = amount
        for i in invoices.indices where left > .zero && invoices[i].invoice.unpaid > .zero {
            let part = min(left, invoices[i].invoice.unpaid)
            invoices[i].invoice.paid = invoices[i].invoice.paid + part
            allocations.append(Allocation(invoice: invoices[i].ref, amount: part, source: source))
            left = left - part
        }
        return left
    }

    /// A payment: applied to unpaid invoices, the remainder becomes credit. Returns the credit added.
    @discardableResult
    public mutating func applyPayment(_ amount: Money) -> Money {
        let rest = spread(amount, source: .payment)
        credit = credit + rest
        return rest
    }

    /// A credit note: to the invoice it corrects while unpaid, the rest becomes credit.
    public mutating func applyCreditNote(_ ref: DocumentRef, total: Money, corrects: DocumentRef?) {
        var left = total
        if let target = corrects, let i = invoices.firstIndex(where: { $0.ref == target }),
            invoices[i].invoice.unpaid > .zero
        {
            let part = min(left, invoices[i].invoice.unpaid)
            invoices[i].invoice.paid = invoices[i].invoice.paid + part
            allocations.append(Allocation(invoice: target, amount: part, source: .creditNote(ref)))
            left = left - part
        }
        credit = credit + left
    }

    /// Uses available credit on unpaid invoices, oldest due first.
    public mutating func applyCredit() {
        guard credit > .zero else { return }
        credit = spread(credit, source: .credit)
    }
}
