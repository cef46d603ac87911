/// A half-open range of days `[start, end)`. Documents and pages show it inclusive
/// (`start … end-1`, see `lastDay`).
public struct DayRange: Hashable, Sendable, CustomStringConvertible {
    public var start: LocalDate
    public var end: LocalDate

    public init(_ start: LocalDate, _ end: LocalDate) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { end <= start }
    public var count: Int { max(0, end.dayNumber - start.dayNumber) }
    /// The last day inside the range (inclusive form).
    public var lastDay: LocalDate { end.adding(days: -1) }

    public func contains(_ d: LocalDate) -> Bool { start <= d && d < end }

    public func intersection(_ o: DayRange) -> DayRange {
        DayRange(max(start, o.start), min(end, o.end))
    }

    public var description: String { end == .distantFuture ? "\(start) … (open)" : "\(start) … \(lastDay)" }
}

/// A set of days kept as sorted, disjoint, non-adjacent ranges.
public struct DaySet: Hashable, Sendable, CustomStringConvertible {
    public private(set) var ranges: [DayRange]

    public init() { ranges = [] }

    public init(_ range: DayRange) { ranges = range.isEmpty ? [] : [range] }

    public init(_ list: [DayRange]) {
        ranges = []
        for r in list { insert(r) }
    }

    public var isEmpty: Bool { ranges.isEmpty }
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }

    public func contains(_ d: LocalDate) -> Bool { ranges.contains { $0.contains(d) } }

    public mutating func insert(_ r: DayRange) {
        guard !r.isEmpty else { return }
        var merged = r
        var out: [DayRange] = []
        out.reserveCapacity(ranges.count + 1)
        var placed = false
        for x in ranges {
            if x.end < merged.start {
                out.append(x)
            } else if merged.end < x.start {
                if !placed {
                    out.append(merged)
                    placed = true
                }
                out.append(x)
            } else {
                merged = DayRange(min(x.start, merged.start), max(x.end, merged.end))
            }
        }
        if !placed { out.append(merged) }
        ranges = out
    }

    public mutating func remove(_ r: DayRange) {
        guard !r.isEmpty else { return }
        var out: [DayRange] = []
        for x in ranges {
            if x.end <= r.start || r.end <= x.start {
                out.append(x)
                continue
            }
            if x.start < r.start { out.append(DayRange(x.start, r.start)) }
            if r.end < x.end { out.append(DayRange(r.end, x.end)) }
        }
        ranges = out
    }

    public func union(_ o: DaySet) -> DaySet {
        var s = self
        for r in o.ranges { s.insert(r) }
        return s
    }

    public func subtracting(_ o: DaySet) -> DaySet {
        var s = self
        for r in o.ranges { s.remove(r) }
        return s
    }

    public func intersection(_ r: DayRange) -> DaySet {
        var s = DaySet()
        for x in ranges {
            let i = x.intersection(r)
            if !i.isEmpty { s.ranges.append(i) }
        }
        return s
    }

    public func intersection(_ o: DaySet) -> DaySet {
        var s = DaySet()
        for r in o.ranges { s.ranges.append(contentsOf: intersection(r).ranges) }
        return DaySet(s.ranges)
    }

    public var description: String { ranges.map(\.description).joined(separator: ", ") }
}
