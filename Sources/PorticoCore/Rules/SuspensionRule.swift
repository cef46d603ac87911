/// The non-payment rule of SPEC §5.
public struct SuspensionRule: Sendable {
    public var settings: Settings.Suspension

    public init(settings: Settings.Suspension) { self.settings = settings }

    /// The day an invoice counts as overdue for suspension: the day after `dueOn + delayDays`
    /// (plus `postponeDays` if the client postponed it).
    public func countsFrom(_ invoice: OpenInvoice) -> LocalDate {
        invoice.dueOn.adding(days: settings.delayDays + (invoice.postponed ? settings.postponeDays : 0) + 1)
    }

    /// The unpaid invoices that count on `date`.
    public func overdue(_ invoices: [OpenInvoice], on date: LocalDate) -> [OpenInvoice] {
        invoices.filter { $0.unpaid > .zero && countsFrom($0) <= date }
    }

    /// True when the client's services must be suspended on `date` (and stay so).
    public func requiresSuspension(_ invoices: [OpenInvoice], on date: LocalDate) -> Bool {
        guard settings.enabled else { return false }
        let total = overdue(invoices, on: date).reduce(Money.zero) { $0 + $1.unpaid }
        return total > .zero && total >= settings.minimumUnpaidAmount
    }

    /// The next date after `date` on which an open invoice starts to count, if any.
    public func nextTrigger(_ invoices: [OpenInvoice], after date: LocalDate) -> LocalDate? {
        invoices.filter { $0.unpaid > .zero }.map(countsFrom).filter { $0 > date }.min()
    }
}
