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
    let name: String
    let help: String
    let labels: [String]
    var type: String { "counter" }
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labels: [String]) {
        self.name = name
        self.help = help
        self.labels = labels
        // A family without labels shows 0 before its first event, so rates work from the start.
        if labels.isEmpty { values.withLock { $0[[]] = 0 } }
    }

    /// Adds `amount` (≥ 0) to the series with these label values (in the family's label order).
    public func increment(_ labelValues: [String] = [], by amount: Double = 1) {
        guard amount >= 0 else { return }
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    public func value(_ labelValues: [String] = []) -> Double { values.withLock { $0[labelValues] ?? 0 } }

    func write(to out: inout String) {
        for (labelValues, v) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out += "\(name)_total\(MetricsRegistry.labelText(labels, labelValues)) \(MetricsRegistry.number(v))\n"
        }
    }
}

/// Observations counted into cumulative buckets, with their sum.
public final class Histogram: MetricFamily {
    struct Series {
        var buckets: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let name: String
    let help: String
    let labels: [String]
    let bounds: [Double]
    var type: String { "histogram" }
    private let series = Mutex<[[String]: Series]>([:])

    init(name: String, help: String, labels: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labels = labels
        bounds = buckets
        if labels.isEmpty { series.withLock { $0[[]] = Series(buckets: Array(repeating: 0, count: buckets.count)) } }
    }

    /// Records one observation (seconds, for the latency histograms).
    public func observe(_ value: Double, _ labelValues: [String] = []) {
        let index = bounds.firstIndex { value <= $0 }
        let empty = bounds.count
        series.withLock { all in
            // Mutated in place through the dictionary's `default:` accessor: copying the series
            // out and back allocated its bucket array on every request.
            if all[labelValues] == nil { all[labelValues] = Series(buckets: Array(repeating: 0, count: empty)) }
            if let index { all[labelValues]!.buckets[index] += 1 }
            all[labelValues]!.sum += value
            all[labelValues]!.count += 1
        }
    }

    public func count(_ labelValues: [String] = []) -> UInt64 { series.withLock { $0[labelValues]?.count ?? 0 } }

    func write(to out: inout String) {
        for (labelValues, s) in series.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
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
