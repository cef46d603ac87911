/// Every invalid request the billing core refuses, with what a person needs to fix it.
public enum BillingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field has a bad value: the field's name and why.
    case invalidField(String, String)
    case periodNotAllowed(plan: String, months: Int, allowed: [Int])
    case monthsNotOffered(months: Int, choices: [Int])
    case amountNotPositive(field: String)
    case overlappingTerms(serviceId: Int64)
    case overlappingAddress(address: String, serviceId: Int64)
    case notFound(kind: String, id: String)
    case notAllowed(String)
    case backdated(field: String, date: LocalDate, lastRun: LocalDate)

    /// The field the error is about, for API errors and CLI messages.
    public var field: String? {
        switch self {
        case .invalidField(let f, _): f
        case .periodNotAllowed: "billingPeriodMonths"
        case .monthsNotOffered: "months"
        case .amountNotPositive(let f): f
        case .overlappingTerms: "terms"
        case .overlappingAddress: "addresses"
        case .backdated(let f, _, _): f
        case .notFound, .notAllowed: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidField(let f, let why): "\(f): \(why)"
        case .periodNotAllowed(let plan, let m, let allowed):
            "billingPeriodMonths: plan '\(plan)' does not allow \(m) months (allowed: \(allowed.map(String.init).joined(separator: ", ")))"
        case .monthsNotOffered(let m, let choices):
            "months: \(m) is not offered (choices: \(choices.map(String.init).joined(separator: ", ")))"
        case .amountNotPositive(let f): "\(f): must be greater than zero"
        case .overlappingTerms(let id): "terms: the terms of service \(id) would overlap"
        case .overlappingAddress(let a, let id): "addresses: \(a) overlaps an address of service \(id)"
        case .notFound(let kind, let id): "\(kind) \(id) not found"
        case .notAllowed(let why): why
        case .backdated(let f, let d, let last):
            "\(f): \(d) is before the last billing run (\(last)); documents cannot be issued in the past"
        }
    }
}
