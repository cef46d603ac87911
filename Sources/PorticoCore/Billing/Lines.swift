/// A line already issued on an invoice (positive amount) or a credit note (negative amount), as
/// the coverage engine needs it: which cycle of which term it billed, at what cycle price, and
/// which days.
public struct IssuedLine: Hashable, Sendable {
    public var documentId: Int64
    public var serviceId: Int64
    public var termId: Int64
    public var cycle: Int
    public var cyclePrice: Money
    public var range: DayRange
    /// Positive on invoices, negative on credit notes.
    public var amount: Money

    public init(
        documentId: Int64, serviceId: Int64, termId: Int64, cycle: Int, cyclePrice: Money, range: DayRange,
        amount: Money
    ) {
        self.documentId = documentId
        self.serviceId = serviceId
        self.termId = termId
        self.cycle = cycle
        self.cyclePrice = cyclePrice
        self.range = range
        self.amount = amount
    }

    public var isCredit: Bool { amount < .zero }
}

/// A line the engine wants issued.
public struct LineDraft: Hashable, Sendable {
    public var serviceId: Int64
    public var termId: Int64
    public var cycle: Int
    /// The whole cycle, which is the proration's denominator.
    public var cycleRange: DayRange
    public var cyclePrice: Money
    /// The days this line bills (or credits).
    public var range: DayRange
    /// Positive for an invoice line, negative for a credit-note line.
    public var amount: Money
    public var description: String
    /// For a credit line: the invoice it corrects (the latest invoice that billed this cycle).
    /// Negative ids stand for documents issued earlier in the same step (see `BillingDay.ref`).
    public var corrects: Int64?

    public var isCredit: Bool { amount < .zero }
}

/// A document to issue: an invoice, or a credit note correcting one invoice.
public struct DocumentDraft: Hashable, Sendable {
    public enum Kind: String, Sendable, Codable { case invoice, creditNote }

    public var kind: Kind
    public var clientId: Int64
    public var issuedOn: LocalDate
    public var dueOn: LocalDate
    public var lines: [LineDraft]
    /// The invoice a credit note corrects: an issued one, or one issued in the same step.
    public var corrects: DocumentRef?

    /// Positive for both kinds: a credit note's total is what it gives back.
    public var total: Money {
        let sum = lines.reduce(Money.zero) { $0 + $1.amount }
        return kind == .invoice ? sum : -sum
    }

    /// Groups lines into one invoice per client and date, and one credit note per invoice
    /// corrected. Credit notes come first: documents issued together are settled in that order.
    public static func assemble(_ lines: [LineDraft], clientId: Int64, on date: LocalDate, dueDays: Int)
        -> [DocumentDraft]
    {
        var out: [DocumentDraft] = []
        var creditOrder: [Int64] = []
        var credits: [Int64: [LineDraft]] = [:]
        for line in lines where line.isCredit {
            let key = line.corrects ?? 0
            if credits[key] == nil { creditOrder.append(key) }
            credits[key, default: []].append(line)
        }
        for key in creditOrder {
            out.append(
                DocumentDraft(
                    kind: .creditNote, clientId: clientId, issuedOn: date, dueOn: date,
                    lines: credits[key]!, corrects: key == 0 ? nil : BillingDay.ref(key)))
        }
        let charges = lines.filter { !$0.isCredit && $0.amount != .zero }
            .sorted { ($0.range.start, $0.serviceId) < ($1.range.start, $1.serviceId) }
        if !charges.isEmpty {
            out.append(
                DocumentDraft(
                    kind: .invoice, clientId: clientId, issuedOn: date,
                    dueOn: date.adding(days: dueDays), lines: charges, corrects: nil))
        }
        return out
    }
}
