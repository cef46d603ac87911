import PropertyBased
import Testing

@testable import PorticoCore

@Suite struct MoneyTests {
    /// The figures of SPEC §14 D and E.
    @Test func proratesHalfUp() {
        #expect(Money(5270).prorated(2, over: 31) == 340)
        #expect(Money(1500).prorated(2, over: 31) == 97)
        #expect(Money(1500).prorated(29, over: 31) == 1403)
        #expect(Money(1500).prorated(21, over: 30) == 1050)
        #expect(Money(5270).prorated(21, over: 30) == 3689)
        #expect(Money(1).prorated(1, over: 2) == 1)
        #expect(Money(-1).prorated(1, over: 2) == -1)
        #expect(Money(3).prorated(1, over: 2) == 2)
    }

    @Test func formatsInTheCurrency() {
        #expect(Currency.usd.format(5270) == "52.70 USD")
        #expect(Currency.usd.format(-5) == "-0.05 USD")
        #expect(Currency.named("jpy")!.format(500) == "500 JPY")
        #expect(Currency.named("KWD")!.format(1234) == "1.234 KWD")
        #expect(Currency.named("US") == nil)
    }

    /// Corrections are differences, so pieces always add up to the prorated whole.
    @Test func differencesTelescope() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000), Gen.int(in: 28...366), Gen.int(in: 0...28)) {
            price, days, cut in
            let whole = Money(Int64(price)).prorated(days, over: days)
            let first = Money(Int64(price)).prorated(cut, over: days)
            let rest = whole - first
            #expect(first + rest == Money(Int64(price)))
            #expect(rest >= .zero)
        }
    }
}
