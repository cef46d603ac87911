/// Which way a service takes part in a vacation hold: a `primary` overrides the `secondary`
/// services of the same client while its term runs; `none` is never overridden.
public enum OverrideRole: String, Sendable, CaseIterable, Codable {
    case primary, secondary, none
}

/// Whether a cycle is invoiced on its first day (`forward`) or the day after it ends (`backward`).
public enum InvoicingType: String, Sendable, CaseIterable, Codable {
    case forward, backward
}

/// A plan: a monthly price, the billing periods (months) it allows, optional prices per period,
/// and the override role its services take by default.
public struct Plan: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var monthlyPrice: Money
    public var billingPeriods: [Int]
    public var periodPrices: [Int: Money]
    public var overrideRole: OverrideRole

    public init(
        id: Int64 = 0, name: String, monthlyPrice: Money, billingPeriods: [Int] = [1], periodPrices: [Int: Money] = [:],
        overrideRole: OverrideRole = .secondary
    ) {
        self.id = id
        self.name = name
        self.monthlyPrice = monthlyPrice
        self.billingPeriods = billingPeriods
        self.periodPrices = periodPrices
        self.overrideRole = overrideRole
    }

    /// Checks every field; the error names the first one that is wrong.
    public func validate() throws(BillingError) {
        if name.trimmingSpaces.isEmpty { throw .invalidField("name", "must not be empty") }
        if monthlyPrice < .zero { throw .invalidField("monthlyPrice", "must not be negative") }
        if billingPeriods.isEmpty { throw .invalidField("billingPeriods", "must list at least one period") }
        if let bad = billingPeriods.first(where: { !(1...24).contains($0) }) {
            throw .invalidField("billingPeriods", "\(bad) is outside 1–24 months")
        }
        if Set(billingPeriods).count != billingPeriods.count {
            throw .invalidField("billingPeriods", "lists a period twice")
        }
        for (months, price) in periodPrices {
            if !billingPeriods.contains(months) {
                throw .invalidField("periodPrices", "has a price for \(months) months, which is not a billing period")
            }
            if price < .zero { throw .invalidField("periodPrices", "price for \(months) months must not be negative") }
        }
    }
}
