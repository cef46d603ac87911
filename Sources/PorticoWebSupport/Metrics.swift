import PorticoHTTP
import Synchronization

/// Counters, gauges and histograms, rendered in the Prometheus text exposition format 0.0.4
/// (`/metrics` on the admin listener). Each family has its own lock, so the portal's request
/// counter and the billing run never wait for each other.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    public init() {}

    /// A counter family; `labels` are the label names, in order.
    public func counter(_ name: String, _ help: String, labels: [String] = []) -> Counter {
        register(Counter(name: name, help: help, labels: labels))
    }

    /// A histogram family with the given upper bounds (`+Inf` is added).
    public func histogram(_ name: String, _ help: String, labels: [String] = [], buckets: [Double]) -> Histogram {
        register(Histogram(name: name, help: help, labels: labels, buckets: buckets.sorted()))
    }

    /// A gauge read when scraped: `read` returns one value per label set.
    public func gauge(
        _ name: String, _ help: String, labels: [String] = [],
        _ read: @escaping @Sendable () -> [([String], Double)]
    ) {
        _ = register(Gauge(name: name, help: help, labels: labels, read: read))
    }

    private func register<F: MetricFamily>(_ family: F) -> F {
        families.withLock { $0.append(family) }
        return family
    }

    /// Every family in registration order, in the text format.
    public func render() -> String {
        var out = ""
        for family in families.withLock({ $0 }) {
            out += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type)\n"
            family.write(to: &out)
        }
        return out
    }

    /// The `/metrics` answer.
    public func response(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD")], body: Array("GET only\n".utf8))
        }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                ("Cache-Control", "no-store"),
            ],
            body: Array(render().utf8))
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingAll([("\\", "\\\\"), ("\n", "\\n")])
    }

    static func escapeLabel(_ s: String) -> String {
        s.replacingAll([("\\", "\\\\"), ("\"", "\\\""), ("\n", "\\n")])
    }

    /// `{a="x",b="y"}`, or nothing without labels.
    static func labelText(_ names: [String], _ values: [String], extra: (String, String)? = nil) -> String {
        var pairs = zip(names, values).map { "\($0)=\"\(escapeLabel($1))\"" }
        if let extra { pairs.append("\(extra.0)=\"\(extra.1)\"") }
        return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
    }

    /// Go's float syntax, which Prometheus parses: integers without a fraction, `+Inf`, `NaN`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}

protocol MetricFamily: Sendable {
    var name: String { get }
    var help: String { get }
    var type: String { get }
    func write(to out: inout String)
}

/// A monotonically increasing count per label set.
public final class Counter: MetricFamily {
    /// One series of the family: keep it to count without looking the labels up each time.
    public final class Cell: Sendable {
        fileprivate let value = Mutex<Double>(0)

        /// Adds `amount` (≥ 0).
        public func increment(by amount: Double = 1) {
            guard amount >= 0 else { return }
            value.withLock { $0 += amount }
        }
    }

    let name: String
    let help: String
    let labels: [String]
    var type: String { "counter" }
    private let cells = Mutex<[[String]: Cell]>([:])
    private let sources = Mutex<[@Sendable () -> [[String]: Double]]>([])

    init(name: String, help: String, labels: [String]) {
        self.name = name
        self.help = help
        self.labels = labels
        // A family without labels shows 0 before its first event, so rates work from the start.
        if labels.isEmpty { _ = cell([]) }
    }

    /// Series counted elsewhere (per thread, say) and read when scraped; added to the cells'.
    public func addSource(_ read: @escaping @Sendable () -> [[String]: Double]) {
        sources.withLock { $0.append(read) }
    }

    /// Every series: the cells' values plus the sources'.
    private func snapshot() -> [[String]: Double] {
        var all = cells.withLock { $0 }.mapValues { cell in cell.value.withLock { $0 } }
        for read in sources.withLock({ $0 }) {
            all.merge(read(), uniquingKeysWith: +)
        }
        return all
    }

    /// The series with these label values (in the family's label order), created at 0.
    public func cell(_ labelValues: [String]) -> Cell {
        cells.withLock { all in
            if let cell = all[labelValues] { return cell }
            let cell = Cell()
            all[labelValues] = cell
            return cell
        }
    }

    /// Adds `amount` (≥ 0) to the series with these label values (in the family's label order).
    public func increment(_ labelValues: [String] = [], by amount: Double = 1) {
        guard amount >= 0 else { return }
        cell(labelValues).increment(by: amount)
    }

    public func value(_ labelValues: [String] = []) -> Double { snapshot()[labelValues] ?? 0 }

    func write(to out: inout String) {
        for (labelValues, v) in snapshot().sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out += "\(name)_total\(MetricsRegistry.labelText(labels, labelValues)) \(MetricsRegistry.number(v))\n"
        }
    }
}

/// Observations counted into cumulative buckets, with their sum.
public final class Histogram: MetricFamily {
    /// One series' observations: per-bucket (not cumulative) counts, their sum and count.
    public struct Series: Sendable {
        public var buckets: [UInt64]
        public var sum: Double = 0
        public var count: UInt64 = 0

        public init(buckets: [UInt64], sum: Double = 0, count: UInt64 = 0) {
            self.buckets = buckets
            self.sum = sum
            self.count = count
        }

        /// Counts `value` (its bucket index among `bounds`, nil past the last).
        public mutating func add(_ value: Double, bucket: Int?) {
            if let bucket { buckets[bucket] += 1 }
            sum += value
            count += 1
        }

        /// The sum of two series of one family.
        public func merged(with other: Series) -> Series {
            Series(
                buckets: zip(buckets, other.buckets).map { $0 + $1 }, sum: sum + other.sum, count: count + other.count)
        }
    }

    /// One series of the family: keep it to observe without looking the labels up each time.
    public final class Cell: Sendable {
        fileprivate let series: Mutex<Series>
        private let bounds: [Double]

        fileprivate init(bounds: [Double]) {
            self.bounds = bounds
            series = Mutex(Series(buckets: Array(repeating: 0, count: bounds.count)))
        }

        /// Records one observation (seconds, for the latency histograms).
        public func observe(_ value: Double) {
            let index = bounds.firstIndex { value <= $0 }
            series.withLock { $0.add(value, bucket: index) }
        }
    }

    let name: String
    let help: String
    let labels: [String]
    public let bounds: [Double]
    var type: String { "histogram" }
    private let cells = Mutex<[[String]: Cell]>([:])
    private let sources = Mutex<[@Sendable () -> [[String]: Series]]>([])

    init(name: String, help: String, labels: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labels = labels
        bounds = buckets
        if labels.isEmpty { _ = cell([]) }
    }

    /// Series observed elsewhere (per thread, say) and read when scraped; merged with the
    /// cells'. Their bucket arrays have one count per bound of this family.
    public func addSource(_ read: @escaping @Sendable () -> [[String]: Series]) {
        sources.withLock { $0.append(read) }
    }

    /// Every series: the cells' plus the sources'.
    private func snapshot() -> [[String]: Series] {
        var all = cells.withLock { $0 }.mapValues { cell in cell.series.withLock { $0 } }
        for read in sources.withLock({ $0 }) {
            all.merge(read()) { $0.merged(with: $1) }
        }
        return all
    }

    /// The series with these label values (in the family's label order), created empty.
    public func cell(_ labelValues: [String]) -> Cell {
        cells.withLock { all in
            if let cell = all[labelValues] { return cell }
            let cell = Cell(bounds: bounds)
            all[labelValues] = cell
            return cell
        }
    }

    /// Records one observation (seconds, for the latency histograms).
    public func observe(_ value: Double, _ labelValues: [String] = []) {
        cell(labelValues).observe(value)
    }

    public func count(_ labelValues: [String] = []) -> UInt64 { snapshot()[labelValues]?.count ?? 0 }

    func write(to out: inout String) {
        for (labelValues, s) in snapshot().sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var cumulative: UInt64 = 0
            for (bound, n) in zip(bounds, s.buckets) {
                cumulative += n
                let labelText = MetricsRegistry.labelText(
                    labels, labelValues, extra: ("le", MetricsRegistry.number(bound)))
                out += "\(name)_bucket\(labelText) \(cumulative)\n"
            }
            out += "\(name)_bucket\(MetricsRegistry.labelText(labels, labelValues, extra: ("le", "+Inf"))) \(s.count)\n"
            out += "\(name)_sum\(MetricsRegistry.labelText(labels, labelValues)) \(MetricsRegistry.number(s.sum))\n"
            out += "\(name)_count\(MetricsRegistry.labelText(labels, labelValues)) \(s.count)\n"
        }
    }
}

/// A value read at scrape time (queue depths, set sizes).
final class Gauge: MetricFamily {
    let name: String
    let help: String
    let labels: [String]
    let read: @Sendable () -> [([String], Double)]
    var type: String { "gauge" }

    init(name: String, help: String, labels: [String], read: @escaping @Sendable () -> [([String], Double)]) {
        self.name = name
        self.help = help
        self.labels = labels
        self.read = read
    }

    func write(to out: inout String) {
        for (labelValues, v) in read() {
            out += "\(name)\(MetricsRegistry.labelText(labels, labelValues)) \(MetricsRegistry.number(v))\n"
        }
    }
}

extension String {
    fileprivate func replacingAll(_ pairs: [(String, String)]) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        outer: for ch in self {
            for (from, to) in pairs where String(ch) == from {
                out += to
                continue outer
            }
            out.append(ch)
        }
        return out
    }
}
