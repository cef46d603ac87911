import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

// One request's metrics, as the portal's redirect path records them: one counter increment
// (listener, route, status) and one latency observation (listener, route) into 14 buckets.
// Each variant runs `iterations` times on each of `threads` threads at once; the figure is
// wall-clock nanoseconds per request per thread (what a request pays), the median of `rounds`.

let arguments = CommandLine.arguments
let iterations = arguments.count > 1 ? Int(arguments[1])! : 2_000_000
let threads = arguments.count > 2 ? Int(arguments[2])! : 2
let rounds = arguments.count > 3 ? Int(arguments[3])! : 5
let only = arguments.count > 4 ? arguments[4] : nil

let latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
let registry = PrometheusCollectorRegistry()
var factory = PrometheusMetricsFactory(registry: registry)
factory.defaultDurationHistogramBuckets = latencyBuckets.map { Duration.nanoseconds(Int64($0 * 1e9)) }
MetricsSystem.bootstrap(factory)

let porticoSeries = PorticoRequestSeries(bounds: latencyBuckets)
let cachedCounter = CoreMetrics.Counter(
    label: "portico_http_requests", dimensions: [("listener", "portal"), ("route", "foreign"), ("status", "302")])
let cachedTimer = CoreMetrics.Timer(
    label: "portico_http_request_duration_seconds", dimensions: [("listener", "portal"), ("route", "foreign")])
let directCounter = registry.makeCounter(
    descriptor: MetricNameDescriptor(metricName: "direct_requests", unitName: "total", helpText: "requests"),
    labels: [("listener", "portal"), ("route", "foreign"), ("status", "302")])
let directHistogram = registry.makeDurationHistogram(
    descriptor: MetricNameDescriptor(metricName: "direct_duration", unitName: "seconds", helpText: "latency"),
    labels: [("listener", "portal"), ("route", "foreign")],
    buckets: latencyBuckets.map { Duration.nanoseconds(Int64($0 * 1e9)) })

/// What a swift-prometheus port of `RequestSeries` would keep per thread: the handles of each
/// (route, status) seen, so a request costs one dictionary lookup before the shared atomics.
final class PrometheusShard: Sendable {
    struct Key: Hashable {
        let route: String
        let status: Int
    }

    let cache = Mutex<[Key: (counter: Prometheus.Counter, histogram: DurationHistogram)]>([:])

    func handles(route: String, status: Int) -> (counter: Prometheus.Counter, histogram: DurationHistogram) {
        cache.withLock { cache in
            if let known = cache[Key(route: route, status: status)] { return known }
            let made = (
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(metricName: "port_requests", unitName: "total", helpText: "r"),
                    labels: [("listener", "portal"), ("route", route), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(metricName: "port_duration", unitName: "seconds", helpText: "d"),
                    labels: [("listener", "portal"), ("route", route)],
                    buckets: latencyBuckets.map { Duration.nanoseconds(Int64($0 * 1e9)) })
            )
            cache[Key(route: route, status: status)] = made
            return made
        }
    }
}

let prometheusHandles = PerThread { PrometheusShard() }

/// A request's elapsed time, varied a little so the optimiser cannot fold it.
@inline(never) func elapsed(_ i: Int) -> Int64 { 20_000 + Int64(i & 1023) }

let variants: [(String, @Sendable (Int) -> Void)] = [
    ("nothing (the loop)", { i in _ = elapsed(i) }),
    (
        "Portico: per-thread shard, (route, status) → count, route → histogram",
        { i in porticoSeries.record(route: "foreign", status: 302, seconds: Double(elapsed(i)) / 1e9) }
    ),
    (
        "swift-metrics + swift-prometheus, handles made once",
        { i in
            cachedCounter.increment()
            cachedTimer.recordNanoseconds(elapsed(i))
        }
    ),
    (
        "swift-prometheus alone (no swift-metrics), handles made once",
        { i in
            directCounter.increment()
            directHistogram.record(.nanoseconds(elapsed(i)))
        }
    ),
    (
        "swift-prometheus, handles from a per-thread cache keyed by (route, status)",
        { i in
            let handles = prometheusHandles.current.handles(route: "foreign", status: 302)
            handles.counter.increment()
            handles.histogram.record(.nanoseconds(elapsed(i)))
        }
    ),
    (
        "swift-metrics + swift-prometheus, handles looked up per request",
        { i in
            CoreMetrics.Counter(
                label: "portico_http_requests",
                dimensions: [("listener", "portal"), ("route", "foreign"), ("status", "302")]
            ).increment()
            CoreMetrics.Timer(
                label: "portico_http_request_duration_seconds",
                dimensions: [("listener", "portal"), ("route", "foreign")]
            ).recordNanoseconds(elapsed(i))
        }
    ),
]

/// Runs `body` on `threads` threads at once, `iterations` times each; nanoseconds per call.
func measure(_ body: @escaping @Sendable (Int) -> Void) -> Double {
    // One thread: on this one, with no start barrier whose spinning callgrind would count.
    if threads == 1 {
        let start = ContinuousClock.now
        for i in 0..<iterations { body(i) }
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9) / Double(iterations)
    }
    let ready = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let spent = Mutex<[Double]>([])
    for _ in 0..<threads {
        Thread.detachNewThread {
            ready.add(1, ordering: .relaxed)
            while !go.load(ordering: .acquiring) {}
            let start = ContinuousClock.now
            for i in 0..<iterations { body(i) }
            let d = ContinuousClock.now - start
            let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
            spent.withLock { $0.append(ns / Double(iterations)) }
            done.add(1, ordering: .releasing)
        }
    }
    while ready.load(ordering: .relaxed) < threads {}
    go.store(true, ordering: .releasing)
    while done.load(ordering: .acquiring) < threads { usleep(1000) }
    let all = spent.withLock { $0 }
    return all.reduce(0, +) / Double(all.count)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

print("\(threads) thread(s), \(iterations) requests each, median of \(rounds) rounds (ns per request per thread)")
print("| variant | ns/request |")
print("|---|---|")
for (name, body) in variants where only == nil || name.hasPrefix(only!) {
    _ = measure(body)  // warm up: shards, handles, caches
    let figures = (0..<rounds).map { _ in measure(body) }
    print("| \(name) | \(String(format: "%.1f", median(figures))) |")
}
// The counts all arrived (per-thread shards summed as a scrape does).
precondition(only != nil || porticoSeries.total == Double((rounds + 1) * threads * iterations))
