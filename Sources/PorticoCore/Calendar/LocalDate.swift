/// A calendar date in the installation's time zone, with no time of day.
///
/// Stored as a day number (days since 1970-01-01) so comparisons and day arithmetic are integer
/// operations; year, month and day are derived (Howard Hinnant's civil-date algorithms).
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// A valid calendar date, or a `DateError` naming what is wrong.
    public init(year: Int, month: Int, day: Int) throws(DateError) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(year: year, month: month)).contains(day)
        else { throw DateError.invalid("\(year)-\(month)-\(day)") }
        dayNumber = Self.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` exactly.
    public init(_ text: String) throws(DateError) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { throw .malformed(text) }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard (48...57).contains(u[i]) else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { throw .malformed(text) }
        do { try self.init(year: y, month: m, day: d) } catch { throw .invalid(text) }
    }

    /// A date used as the open end of a range ("no end yet").
    public static let distantFuture = LocalDate(dayNumber: Int(Int32.max))

    public var components: (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    public func adding(days n: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + n) }

    /// The same day of the month `n` months later (or earlier), clamped to the last day of the
    /// target month. Cycle boundaries call this on the anchor with `k * period`, never repeatedly.
    public func addingMonths(_ n: Int) -> LocalDate {
        let (y, m, d) = components
        let total = y * 12 + (m - 1) + n
        let ty = total / 12
        let tm = total % 12 + 1
        return LocalDate(dayNumber: Self.days(year: ty, month: tm, day: min(d, Self.daysIn(year: ty, month: tm))))
    }

    /// Days from `other` to `self`.
    public func days(since other: LocalDate) -> Int { dayNumber - other.dayNumber }

    public var description: String {
        if self == .distantFuture { return "open" }
        let (y, m, d) = components
        return "\(Self.pad(y, 4))-\(Self.pad(m, 2))-\(Self.pad(d, 2))"
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    /// `v` in decimal, left-padded with zeros to `width` digits.
    public static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// A date that could not be read or does not exist.
public enum DateError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .malformed(let s): "'\(s)' is not a date in the form YYYY-MM-DD"
        case .invalid(let s): "'\(s)' is not a calendar date"
        }
    }
}
