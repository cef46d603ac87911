/// An amount of money as an integer count of the currency's minor units (cents). Never floating
/// point.
public struct Money: Hashable, Comparable, Sendable, AdditiveArithmetic, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public var minorUnits: Int64

    public init(_ minorUnits: Int64) { self.minorUnits = minorUnits }
    public init(integerLiteral value: Int64) { minorUnits = value }

    public static let zero = Money(0)

    public static func + (a: Money, b: Money) -> Money { Money(a.minorUnits + b.minorUnits) }
    public static func - (a: Money, b: Money) -> Money { Money(a.minorUnits - b.minorUnits) }
    public static prefix func - (a: Money) -> Money { Money(-a.minorUnits) }
    public static func * (a: Money, n: Int) -> Money { Money(a.minorUnits * Int64(n)) }
    public static func < (a: Money, b: Money) -> Bool { a.minorUnits < b.minorUnits }

    /// `roundHalfUp(self * numerator / denominator)`: the one rounding of the proration rule.
    /// Half up means away from zero for negative amounts too, so a credit mirrors its charge.
    public func prorated(_ numerator: Int, over denominator: Int) -> Money {
        precondition(denominator > 0, "proration over an empty cycle")
        let p = minorUnits * Int64(numerator)
        let d = Int64(denominator)
        let q = (2 * abs(p) + d) / (2 * d)
        return Money(p < 0 ? -q : q)
    }

    public var description: String { String(minorUnits) }
}

/// The installation's currency: an ISO 4217 code and its number of minor-unit digits.
public struct Currency: Hashable, Sendable {
    public var code: String
    public var minorDigits: Int

    public init(code: String, minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    public static let usd = Currency(code: "USD", minorDigits: 2)

    /// The digits of the common ISO 4217 currencies whose minor unit is not two digits.
    public static func named(_ code: String) -> Currency? {
        let upper = code.uppercased()
        guard upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let zero: Set<String> = [
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
            "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
        ]
        let three: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
        return Currency(code: upper, minorDigits: zero.contains(upper) ? 0 : three.contains(upper) ? 3 : 2)
    }

    /// `12345` → `"123.45 USD"`.
    public func format(_ m: Money) -> String {
        let negative = m.minorUnits < 0
        let v = abs(m.minorUnits)
        guard minorDigits > 0 else { return "\(negative ? "-" : "")\(v) \(code)" }
        var scale: Int64 = 1
        for _ in 0..<minorDigits { scale *= 10 }
        let frac = String(v % scale)
        let padded = String(repeating: "0", count: minorDigits - frac.count) + frac
        return "\(negative ? "-" : "")\(v / scale).\(padded) \(code)"
    }
}
