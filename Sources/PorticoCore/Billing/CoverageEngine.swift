/// The invoicing engine of SPEC §3: a pure function of (services, terms, overrides, suspensions,
/// lines already issued, date) → the lines to issue now.
///
/// For every cycle that is due by `date` (or was billed before), it computes the days that are
/// billable by what is known now, compares them with the days already billed, and issues the
/// difference: a credit for days no longer billable, a charge for days newly billable. Amounts
/// are differences of `roundHalfUp(cyclePrice * days / cycleDays)`, so everything billed and
/// credited for one cycle always adds up to exactly the prorated figure of the days covered.
/// Running it again with its own output included issues nothing.
public struct CoverageEngine: Sendable {
    public var settings: Settings

    public init(settings: Settings) { self.settings = settings }

    struct CycleKey: Hashable {
        var termId: Int64
        var cycle: Int
    }

    /// The lines to issue on `date` for one client's services.
    public func lines(services: [Service], suspensions: [Suspension], issued: [IssuedLine], on date: LocalDate)
        -> [LineDraft]
    {
        var byService: [Int64: [CycleKey: [IssuedLine]]] = [:]
        for line in issued {
            byService[line.serviceId, default: [:]][CycleKey(termId: line.termId, cycle: line.cycle), default: []]
                .append(line)
        }
        var out: [LineDraft] = []
        for service in services {
            let billable = billableDays(of: service, among: services, suspensions: suspensions)
            let billed = byService[service.id] ?? [:]
            for term in service.terms {
                out += termLines(service, term, billable: billable, billed: billed, on: date)
            }
        }
        return out
    }

    /// The earliest date after `date` on which a cycle of these services falls due, or nil.
    /// With facts unchanged, `lines(…)` issues nothing before that date.
    public func nextInvoiceDate(services: [Service], after date: LocalDate) -> LocalDate? {
        var best: LocalDate?
        for service in services {
            for term in service.terms {
                let forward = isForward(service, term)
                let end = term.range.end
                let probe = forward ? date.adding(days: settings.invoicing.createDaysInAdvance) : date
                var k = max(term.cycleIndex(containing: term.start), term.cycleIndex(containing: probe) - 1)
                while true {
                    let c = term.cycle(k)
                    if c.start >= end { break }
                    let on = invoiceDate(c, termEnd: end, forward: forward)
                    if on > date {
                        if best == nil || on < best! { best = on }
                        break
                    }
                    k += 1
                }
            }
        }
        return best
    }

    /// Days on which `service` is billable: covered by a term, not overridden by a primary of the
    /// same client, and not suspended while `suspension.stopInvoicing` is on.
    public func billableDays(of service: Service, among services: [Service], suspensions: [Suspension]) -> DaySet {
        var days = service.coveredDays
        if service.overrideRole == .secondary {
            for other in services where other.id != service.id && other.overrideRole == .primary {
                days = days.subtracting(other.coveredDays)
            }
        }
        if settings.suspension.stopInvoicing {
            for s in suspensions where s.serviceId == service.id { days.remove(s.range) }
        }
        return days
    }

    func isForward(_ service: Service, _ term: Term) -> Bool {
        term.prepaid || (service.invoicingType ?? settings.invoicing.defaultType) == .forward
    }

    /// Forward: the cycle's first day less `createDaysInAdvance`. Backward: the day after the cycle
    /// ends, or the term's end when that cuts the cycle short.
    func invoiceDate(_ cycle: DayRange, termEnd: LocalDate, forward: Bool) -> LocalDate {
        forward ? cycle.start.adding(days: -settings.invoicing.createDaysInAdvance) : min(cycle.end, termEnd)
    }

    func termLines(
        _ service: Service, _ term: Term, billable: DaySet, billed: [CycleKey: [IssuedLine]],
        on date: LocalDate
    ) -> [LineDraft] {
        let forward = isForward(service, term)
        let termRange = term.range
        var cycles: Set<Int> = []
        var k = term.cycleIndex(containing: term.start)
        while true {
            let c = term.cycle(k)
            if c.start >= termRange.end || invoiceDate(c, termEnd: termRange.end, forward: forward) > date { break }
            cycles.insert(k)
            k += 1
        }
        for key in billed.keys where key.termId == term.id && !cycles.contains(key.cycle) {
            let c = term.cycle(key.cycle)
            // A billed cycle that the term no longer reaches is credited at once; one whose invoice
            // date moved later (backward, term extended) waits for that date.
            if c.start >= termRange.end || invoiceDate(c, termEnd: termRange.end, forward: forward) <= date {
                cycles.insert(key.cycle)
            }
        }
        var out: [LineDraft] = []
        for k in cycles.sorted() {
            let c = term.cycle(k)
            let wanted = billable.intersection(c.intersection(termRange))
            out += cycleLines(
                service, term, k, c, wanted: wanted,
                billed: billed[CycleKey(termId: term.id, cycle: k)] ?? [])
        }
        return out
    }

    func cycleLines(
        _ service: Service, _ term: Term, _ k: Int, _ c: DayRange, wanted: DaySet,
        billed lines: [IssuedLine]
    ) -> [LineDraft] {
        var billedDays = DaySet()
        var billedAmount = Money.zero
        var lastInvoice: Int64?
        for line in lines {
            if line.isCredit {
                billedDays.remove(line.range)
            } else {
                billedDays.insert(line.range)
                lastInvoice = line.documentId
            }
            billedAmount = billedAmount + line.amount
        }
        // The price of a cycle is fixed when it is first invoiced.
        let price = lines.first?.cyclePrice ?? service.price(forMonths: term.periodMonths)
        let cycleDays = c.count
        func due(_ s: DaySet) -> Money { price.prorated(s.count, over: cycleDays) }

        if billedDays == wanted && billedAmount == due(wanted) { return [] }

        func line(_ r: DayRange, _ amount: Money) -> LineDraft {
            let what = amount < .zero ? "\(service.planName), credit for \(r)" : "\(service.planName), \(r)"
            return LineDraft(
                serviceId: service.id, termId: term.id, cycle: k, cycleRange: c, cyclePrice: price,
                range: r, amount: amount, description: what, corrects: amount < .zero ? lastInvoice : nil)
        }
        var out: [LineDraft] = []
        var current = billedDays
        var currentAmount = billedAmount
        // Corrections are differences, so the pieces telescope to exactly due(wanted) - billed.
        for r in billedDays.subtracting(wanted).ranges {
            current.remove(r)
            let amount = due(current) - currentAmount
            currentAmount = currentAmount + amount
            if amount != .zero { out.append(line(r, amount)) }
        }
        for r in wanted.subtracting(billedDays).ranges {
            current.insert(r)
            let amount = due(current) - currentAmount
            currentAmount = currentAmount + amount
            if amount != .zero { out.append(line(r, amount)) }
        }
        // Same days but a different total (an earlier rounding elsewhere): settle the difference.
        let rest = due(wanted) - currentAmount
        if rest != .zero, let span = wanted.ranges.first.map({ DayRange($0.start, wanted.ranges.last!.end) }) {
            out.append(line(span, rest))
        }
        return out
    }
}
