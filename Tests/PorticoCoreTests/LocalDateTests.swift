import PropertyBased
import Testing

@testable import PorticoCore

@Suite struct LocalDateTests {
    @Test func parsesAndPrints() throws {
        #expect(try LocalDate("2026-03-01").description == "2026-03-01")
        #expect(try LocalDate("2024-02-29").day == 29)
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-32", "2026/01/01", ""] {
            #expect(throws: DateError.self) { try LocalDate(bad) }
        }
    }

    /// SPEC §1: anchor Jan 31 gives Feb 28 (29), Mar 31, Apr 30, … computed from the anchor.
    @Test func addMonthsClampsFromTheAnchor() throws {
        let anchor = try LocalDate("2026-01-31")
        #expect(
            (0...4).map { anchor.addingMonths($0).description }
                == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"])
        #expect(try LocalDate("2028-01-31").addingMonths(1).description == "2028-02-29")
        #expect(try LocalDate("2026-03-31").addingMonths(-1).description == "2026-02-28")
        #expect(try LocalDate("2026-11-15").addingMonths(14).description == "2028-01-15")
    }

    @Test func dayNumberRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int(in: -100_000...2_000_000)) { n in
            let date = LocalDate(dayNumber: n)
            let (y, m, dd) = date.components
            #expect((try? LocalDate(year: y, month: m, day: dd)) == date)
            #expect((try? LocalDate(date.description)) == date)
            #expect(date.adding(days: 1).dayNumber == n + 1)
        }
    }
}
