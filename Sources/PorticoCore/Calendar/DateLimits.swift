/// How far from today the dates a person gives may reach: one rule for the JSON API, the admin
/// web UI and the command line (SPEC §13: a refusal names the field and changes nothing).
public enum DateLimits {
    /// How far after today an action's effective date may be. Running ahead replays a short
    /// history (tests, tools); a date years ahead made one request run the billing of every day or
    /// cycle until then, holding the API for minutes to hours (`POST /billing/run` with
    /// `9426-07-12`, a hold preview from `5766-10-28`: found by the API contract run).
    public static let maxDaysAhead = 366

    /// How far before today a new service may start: ten years of history to import. Every action
    /// on a client recomputes its services' cycles from their anchors, so a service from year 8
    /// made each suspend, payment or daily step of its client take tens of seconds (found by the
    /// API contract run).
    public static let maxDaysBack = 3653

    /// An action's effective date (a payment's `receivedOn`, a vacation hold's `from` or `on`, the
    /// billing run's `date`) as given, when it is at most `maxDaysAhead` days after `today`;
    /// otherwise `BillingError.invalidField` naming `field`.
    @discardableResult
    public static func effectiveDate(_ date: LocalDate, field: String, today: LocalDate) throws(BillingError)
        -> LocalDate
    {
        let latest = today.adding(days: maxDaysAhead)
        guard date <= latest else {
            throw .invalidField(field, "must be at most \(maxDaysAhead) days after today (\(latest))")
        }
        return date
    }

    /// A new service's `activeFrom` as given, when it is at most `maxDaysBack` days before
    /// `today`; otherwise `BillingError.invalidField` naming `field`.
    @discardableResult
    public static func startDate(_ date: LocalDate, field: String, today: LocalDate) throws(BillingError)
        -> LocalDate
    {
        let earliest = today.adding(days: -maxDaysBack)
        guard date >= earliest else {
            throw .invalidField(field, "must be at most \(maxDaysBack) days (ten years) before today (\(earliest))")
        }
        return date
    }
}
