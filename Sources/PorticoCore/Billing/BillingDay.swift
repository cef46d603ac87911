/// Everything the billing core needs to know about one client.
public struct ClientState: Sendable {
    public var clientId: Int64
    /// The client's own choice, or the installation's `invoicing.useCreditAutomatically`.
    public var useCredit: Bool
    public var services: [Service]
    public var suspensions: [Suspension]
    public var issued: [IssuedLine]
    public var open: [OpenInvoice]
    public var credit: Money

    public init(
        clientId: Int64, useCredit: Bool = true, services: [Service] = [], suspensions: [Suspension] = [],
        issued: [IssuedLine] = [], open: [OpenInvoice] = [], credit: Money = .zero
    ) {
        self.clientId = clientId
        self.useCredit = useCredit
        self.services = services
        self.suspensions = suspensions
        self.issued = issued
        self.open = open
        self.credit = credit
    }
}

/// What one step of billing for one client on one date decided. The store writes it in one
/// transaction; nothing here has happened until then.
public struct StepOutcome: Sendable {
    public var documents: [DocumentDraft] = []
    public var allocations: [Allocation] = []
    /// Credit added by the payment of this step (its remainder), if there was one.
    public var paymentCreditAdded: Money = .zero
    public var creditAfter: Money = .zero
    public var suspensionsOpened: [Suspension] = []
    /// Ids of suspensions that end on the step's date.
    public var suspensionsClosed: [Int64] = []
    public var statuses: [Int64: ServiceStatus] = [:]
    /// With facts unchanged, nothing happens for this client before this date.
    public var nextEventOn: LocalDate?
    /// The client's unpaid invoices after the step.
    public var openAfter: [OpenInvoice] = []
}

/// One step of the daily run (SPEC §8) for one client, or the billing part of an action
/// (payment, reactivation, vacation hold): issue what the engine says, settle credit notes then
/// invoices, apply the payment and credit, then suspend or release.
public struct BillingDay: Sendable {
    public enum Mode: Sendable {
        /// The daily run: may suspend for non-payment.
        case dailyRun
        /// An action during the day: releases when the rule is no longer met, never suspends.
        case action
    }

    public var settings: Settings

    public init(settings: Settings) { self.settings = settings }

    public func step(_ state: ClientState, on date: LocalDate, mode: Mode, payment: Money? = nil) -> StepOutcome {
        let engine = CoverageEngine(settings: settings)
        let rule = SuspensionRule(settings: settings.suspension)
        var out = StepOutcome()
        var settlement = Settlement(open: state.open, credit: state.credit)
        var issued = state.issued
        var suspensions = state.suspensions
        var paymentLeft = payment

        // A change of suspension with stopInvoicing changes what is billable, so the engine runs
        // again; three rounds bound any back-and-forth between credit notes and the rule.
        for _ in 0..<3 {
            let lines = engine.lines(services: state.services, suspensions: suspensions, issued: issued, on: date)
            let drafts = DocumentDraft.assemble(
                lines, clientId: state.clientId, on: date,
                dueDays: settings.invoicing.dueDays)
            for doc in drafts {
                let index = out.documents.count
                let ref = DocumentRef.new(index)
                let tempId = -Int64(index + 1)
                out.documents.append(doc)
                for line in doc.lines {
                    issued.append(
                        IssuedLine(
                            documentId: tempId, serviceId: line.serviceId, termId: line.termId,
                            cycle: line.cycle, cyclePrice: line.cyclePrice, range: line.range,
                            amount: line.amount))
                }
                switch doc.kind {
                case .creditNote:
                    settlement.applyCreditNote(ref, total: doc.total, corrects: doc.corrects)
                case .invoice:
                    settlement.addInvoice(
                        ref,
                        OpenInvoice(
                            id: tempId, issuedOn: date, dueOn: doc.dueOn,
                            total: doc.total))
                }
            }
            if let p = paymentLeft {
                out.paymentCreditAdded = settlement.applyPayment(p)
                paymentLeft = nil
            }
            if state.useCredit { settlement.applyCredit() }

            let changed = applyRule(
                rule, state, &suspensions, &out, open: settlement.openInvoices, on: date,
                mode: mode)
            if !(changed && settings.suspension.stopInvoicing) { break }
        }

        out.allocations = settlement.allocations
        out.creditAfter = settlement.credit
        out.openAfter = settlement.openInvoices
        for s in state.services {
            out.statuses[s.id] = StatusRules.status(of: s, among: state.services, suspensions: suspensions, on: date)
        }
        out.nextEventOn = [
            engine.nextInvoiceDate(services: state.services, after: date),
            StatusRules.nextChange(services: state.services, suspensions: suspensions, after: date),
            rule.nextTrigger(out.openAfter, after: date),
        ].compactMap { $0 }.min()
        return out
    }

    /// Negative ids stand for documents of this step (index -id-1).
    static func ref(_ id: Int64) -> DocumentRef { id < 0 ? .new(Int(-id - 1)) : .existing(id) }

    /// Opens or closes non-payment suspensions; returns whether anything changed.
    func applyRule(
        _ rule: SuspensionRule, _ state: ClientState, _ suspensions: inout [Suspension],
        _ out: inout StepOutcome, open: [OpenInvoice], on date: LocalDate, mode: Mode
    ) -> Bool {
        var changed = false
        if rule.requiresSuspension(open, on: date) {
            guard mode == .dailyRun else { return false }
            for s in state.services where s.term(covering: date) != nil {
                let already = suspensions.contains {
                    $0.serviceId == s.id && $0.reason == .nonPayment && $0.range.contains(date)
                }
                if !already {
                    let new = Suspension(
                        serviceId: s.id, from: date, reason: .nonPayment,
                        note: "unpaid overdue invoices")
                    suspensions.append(new)
                    out.suspensionsOpened.append(new)
                    changed = true
                }
            }
        } else {
            for i in suspensions.indices where suspensions[i].reason == .nonPayment && suspensions[i].isOpen {
                if suspensions[i].id != 0 {
                    out.suspensionsClosed.append(suspensions[i].id)
                } else {
                    out.suspensionsOpened.removeAll { $0.serviceId == suspensions[i].serviceId && $0.id == 0 }
                }
                suspensions[i].to = date
                changed = true
            }
        }
        return changed
    }
}
