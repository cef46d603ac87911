import Foundation
import PorticoCore

/// Turns the wall clock into the installation's calendar date. The only place that reads the
/// clock; the core and the store take dates as arguments.
public struct InstallationClock: Sendable {
    public let timeZone: TimeZone
    let now: @Sendable () -> Date

    /// `identifier` is an IANA name (`America/Bogota`); an unknown name is an error naming
    /// `billing.timeZone`.
    public init(timeZone identifier: String, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard let tz = TimeZone(identifier: identifier) else {
            throw BillingError.invalidField("billing.timeZone", "'\(identifier)' is not an IANA time zone")
        }
        timeZone = tz
        self.now = now
    }

    /// Today's date in the installation's time zone.
    public func today() -> LocalDate { date(of: now()) }

    /// The current instant (fixed in tests).
    public func instant() -> Date { now() }

    /// Minutes since local midnight of `instant`.
    public func minuteOfDay(_ instant: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.hour, from: instant) * 60 + calendar.component(.minute, from: instant)
    }

    public func date(of instant: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return (try? LocalDate(year: c.year!, month: c.month!, day: c.day!)) ?? LocalDate(dayNumber: 0)
    }
}
