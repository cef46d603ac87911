/// A client's subscription to a plan, as the billing core sees it.
public struct Service: Hashable, Sendable {
    public var id: Int64
    public var clientId: Int64
    public var planId: Int64
    /// The plan's name, used in line descriptions.
    public var planName: String
    /// The monthly price: the plan's unless the service sets its own.
    public var monthlyPrice: Money
    /// Prices per period in months. The plan's when the service uses the plan's price; empty
    /// when the service has its own price (then a period costs `months * monthlyPrice`).
    public var periodPrices: [Int: Money]
    public var billingPeriodMonths: Int
    /// `nil` inherits the installation's `invoicing.defaultType`.
    public var invoicingType: InvoicingType?
    public var overrideRole: OverrideRole
    public var addresses: [IPPrefix]
    /// The service's time, oldest first; terms never overlap.
    public var terms: [Term]

    public init(
        id: Int64, clientId: Int64, planId: Int64 = 0, planName: String = "Service", monthlyPrice: Money,
        periodPrices: [Int: Money] = [:], billingPeriodMonths: Int = 1, invoicingType: InvoicingType? = nil,
        overrideRole: OverrideRole = .secondary, addresses: [IPPrefix] = [], terms: [Term] = []
    ) {
        self.id = id
        self.clientId = clientId
        self.planId = planId
        self.planName = planName
        self.monthlyPrice = monthlyPrice
        self.periodPrices = periodPrices
        self.billingPeriodMonths = billingPeriodMonths
        self.invoicingType = invoicingType
        self.overrideRole = overrideRole
        self.addresses = addresses
        self.terms = terms
    }

    /// The price of `months` months: the period price where one is set, else `months` × monthly.
    public func price(forMonths months: Int) -> Money {
        periodPrices[months] ?? monthlyPrice * months
    }

    /// First day of the first term.
    public var activeFrom: LocalDate? { terms.first?.start }
    /// Last day (inclusive) of the last term, nil while it is open.
    public var activeTo: LocalDate? { terms.last?.end.map { $0.adding(days: -1) } }

    /// The term covering `date`, if any.
    public func term(covering date: LocalDate) -> Term? {
        terms.last { $0.start <= date && date < ($0.end ?? .distantFuture) }
    }

    /// All days covered by a term.
    public var coveredDays: DaySet { DaySet(terms.map(\.range)) }
}

/// A stretch of a service's time `[start, end)` with its own cycle anchor and period.
///
/// A reactivation appends a term; a term never changes what was invoiced before it. Cycle `k`
/// of a term is `[addMonths(anchor, k*p), addMonths(anchor, (k+1)*p))`.
public struct Term: Hashable, Sendable {
    public var id: Int64
    public var start: LocalDate
    /// Exclusive end; nil while the term is open.
    public var end: LocalDate?
    public var anchor: LocalDate
    public var periodMonths: Int
    /// Reactivation terms are paid in advance: invoiced forward whatever the service's type.
    public var prepaid: Bool

    public init(
        id: Int64 = 0, start: LocalDate, end: LocalDate? = nil, anchor: LocalDate? = nil, periodMonths: Int = 1,
        prepaid: Bool = false
    ) {
        self.id = id
        self.start = start
        self.end = end
        self.anchor = anchor ?? start
        self.periodMonths = periodMonths
        self.prepaid = prepaid
    }

    public var range: DayRange { DayRange(start, end ?? .distantFuture) }

    /// Cycle `k`: always computed from the anchor.
    public func cycle(_ k: Int) -> DayRange {
        DayRange(anchor.addingMonths(k * periodMonths), anchor.addingMonths((k + 1) * periodMonths))
    }

    /// The index of the cycle containing `date` (which may be before the anchor).
    public func cycleIndex(containing date: LocalDate) -> Int {
        // Estimate from whole months, then step; at most a couple of iterations.
        let months = (date.year - anchor.year) * 12 + (date.month - anchor.month)
        var k = months >= 0 ? months / periodMonths : -((-months + periodMonths - 1) / periodMonths)
        while cycle(k).start > date { k -= 1 }
        while cycle(k).end <= date { k += 1 }
        return k
    }
}
