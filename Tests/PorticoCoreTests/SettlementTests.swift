import Testing

@testable import PorticoCore

@Suite struct SettlementTests {
    func inv(_ id: Int64, due: String, _ total: Money) -> OpenInvoice {
        OpenInvoice(id: id, issuedOn: try! LocalDate(due).adding(days: -14), dueOn: try! LocalDate(due), total: total)
    }

    @Test func paymentGoesOldestDueFirstThenCredit() {
        var s = Settlement(open: [inv(2, due: "2026-02-15", 3000), inv(1, due: "2026-01-15", 3000)], credit: 0)
        let credit = s.applyPayment(4000)
        #expect(
            s.allocations == [
                Allocation(invoice: .existing(1), amount: 3000, source: .payment),
                Allocation(invoice: .existing(2), amount: 1000, source: .payment),
            ])
        #expect(credit == 0)
        #expect(s.applyPayment(5000) == 3000)
        #expect(s.credit == 3000)
        #expect(s.openInvoices.isEmpty)
    }

    @Test func creditNoteGoesToItsInvoiceFirst() {
        var s = Settlement(open: [inv(1, due: "2026-01-15", 3000), inv(2, due: "2026-02-15", 3000)], credit: 0)
        s.applyCreditNote(.new(0), total: 500, corrects: .existing(2))
        #expect(s.allocations == [Allocation(invoice: .existing(2), amount: 500, source: .creditNote(.new(0)))])
        #expect(s.credit == 0)
        // The corrected invoice is paid: the whole credit note becomes credit.
        var paid = Settlement(open: [], credit: 0)
        paid.applyCreditNote(.new(0), total: 340, corrects: .existing(9))
        #expect(paid.credit == 340)
    }

    @Test func suspensionRuleCountsFromDueDatePlusDelay() {
        var settings = Settings.Suspension()
        settings.delayDays = 7
        let rule = SuspensionRule(settings: settings)
        let open = [inv(1, due: "2026-06-15", 3000)]
        #expect(!rule.requiresSuspension(open, on: try! LocalDate("2026-06-22")))
        #expect(rule.requiresSuspension(open, on: try! LocalDate("2026-06-23")))
        settings.minimumUnpaidAmount = 3001
        #expect(!SuspensionRule(settings: settings).requiresSuspension(open, on: try! LocalDate("2026-06-30")))
    }
}
