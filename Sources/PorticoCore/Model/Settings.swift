/// Every setting of SPEC §1–§8 with its default. Read once at the edge and passed down.
public struct Settings: Hashable, Sendable {
    public struct Invoicing: Hashable, Sendable {
        public var defaultType: InvoicingType = .forward
        public var createDaysInAdvance: Int = 0
        public var dueDays: Int = 14
        public var useCreditAutomatically: Bool = true
        public init() {}
    }
    public struct Suspension: Hashable, Sendable {
        public var enabled: Bool = true
        public var delayDays: Int = 0
        public var minimumUnpaidAmount: Money = .zero
        public var stopInvoicing: Bool = false
        public var allowPostpone: Bool = false
        public var postponeDays: Int = 3
        public init() {}
    }
    public struct Reactivation: Hashable, Sendable {
        public var enabled: Bool = false
        public var monthChoices: [Int] = [1, 2, 3, 6, 12]
        public init() {}
    }
    public struct VacationHold: Hashable, Sendable {
        public var defaultMonths: Int = 6
        public init() {}
    }
    public struct Billing: Hashable, Sendable {
        public var runAt: String = "00:05"
        public var timeZone: String = "UTC"
        public var currency: String = "USD"
        public init() {}
    }

    public var invoicing = Invoicing()
    public var suspension = Suspension()
    public var reactivation = Reactivation()
    public var vacationHold = VacationHold()
    public var billing = Billing()

    public init() {}

    /// Checks every value; the error names the setting (`group.name`).
    public func validate() throws(BillingError) {
        func check(_ ok: Bool, _ field: String, _ why: String) throws(BillingError) {
            if !ok { throw .invalidField(field, why) }
        }
        try check((0...366).contains(invoicing.createDaysInAdvance), "invoicing.createDaysInAdvance", "must be 0–366")
        try check((0...366).contains(invoicing.dueDays), "invoicing.dueDays", "must be 0–366")
        try check((0...366).contains(suspension.delayDays), "suspension.delayDays", "must be 0–366")
        try check(suspension.minimumUnpaidAmount >= .zero, "suspension.minimumUnpaidAmount", "must not be negative")
        try check((1...60).contains(suspension.postponeDays), "suspension.postponeDays", "must be 1–60")
        try check(!reactivation.monthChoices.isEmpty, "reactivation.monthChoices", "must list at least one choice")
        try check(
            reactivation.monthChoices.allSatisfy { (1...24).contains($0) }, "reactivation.monthChoices",
            "choices must be 1–24 months")
        try check(
            Set(reactivation.monthChoices).count == reactivation.monthChoices.count,
            "reactivation.monthChoices", "lists a choice twice")
        try check((1...24).contains(vacationHold.defaultMonths), "vacationHold.defaultMonths", "must be 1–24")
        try check(Self.isClockTime(billing.runAt), "billing.runAt", "must be HH:MM")
        try check(Currency.named(billing.currency) != nil, "billing.currency", "must be an ISO 4217 code")
        try check(!billing.timeZone.isEmpty, "billing.timeZone", "must be an IANA time zone name")
    }

    /// `HH:MM`, 00:00–23:59.
    public static func isClockTime(_ s: String) -> Bool {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2, p[0].count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]) else { return false }
        return (0...23).contains(h) && (0...59).contains(m)
    }
}
