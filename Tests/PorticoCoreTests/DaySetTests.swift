import PropertyBased
import Testing

@testable import PorticoCore

@Suite struct DaySetTests {
    func range(_ a: Int, _ b: Int) -> DayRange {
        DayRange(LocalDate(dayNumber: min(a, b)), LocalDate(dayNumber: max(a, b)))
    }

    @Test func mergesAndSplits() {
        var s = DaySet([range(0, 10), range(10, 20), range(30, 40)])
        #expect(s.ranges == [range(0, 20), range(30, 40)])
        s.remove(range(5, 35))
        #expect(s.ranges == [range(0, 5), range(35, 40)])
        #expect(s.count == 10)
    }

    /// Inclusion–exclusion against a plain set of day numbers.
    @Test func behavesLikeASetOfDays() async {
        let bound = Gen.int(in: 0...60)
        await propertyCheck(count: 300, input: bound, bound, bound, bound) { a, b, c, e in
            let x = DaySet(range(a, b))
            let y = DaySet(range(c, e))
            let plainX = Set(min(a, b)..<max(a, b))
            let plainY = Set(min(c, e)..<max(c, e))
            #expect(x.union(y).count == plainX.union(plainY).count)
            #expect(x.subtracting(y).count == plainX.subtracting(plainY).count)
            #expect(x.intersection(y).count == plainX.intersection(plainY).count)
        }
    }
}
