# Turns RequestSeries.record in the tree at argv[1] into swift-prometheus (a per-thread cache of
# handles per (route, status), the shared Counter and DurationHistogram behind them), for a
# redirect trial only (bench/metrics/redirect.sh applies it to a scratch copy, never to the repository).
import re
import sys
root = sys.argv[1].rstrip('/') + '/'
p = root + 'Package.swift'
s = open(p).read()
s = s.replace('''        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),''','''        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),''')
s = s.replace('''                .product(name: "UnixSignals", package: "swift-service-lifecycle"),''','''                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),''', 1)
open(p, 'w').write(s)
p = root + 'Sources/PorticoApp/Observability/PorticoMetrics.swift'
s = open(p).read()
old = s[s.index('    func record(route: String, status: Int, seconds: Double) {'):s.index('    private func admit(_ route: String) -> String {')]
new = '''    func record(route: String, status: Int, seconds: Double) {
        trialRecord(listener: listener, route: route, status: status, seconds: seconds) { admit($0) }
    }

'''
s = s.replace(old, new)
open(p, 'w').write(s)
p = root + 'Sources/PorticoApp/Observability/TrialPrometheus.swift'
s = '''import Prometheus
import PorticoHTTP
import Synchronization

func trialRecord(listener: String, route: String, status: Int, seconds: Double, admit: (String) -> String) {
    let handles = trialHandles.current.handles(listener: listener, route: route, status: status, admit: admit)
    handles.counter.increment()
    handles.histogram.record(.nanoseconds(Int64(seconds * 1e9)))
}

let trialRegistry = PrometheusCollectorRegistry()
let trialBuckets = PorticoMetrics.latencyBuckets.map { Duration.nanoseconds(Int64($0 * 1e9)) }
let trialHandles = PerThread { TrialShard() }

final class TrialShard: Sendable {
    struct Key: Hashable {
        let route: String
        let status: Int
    }

    let cache = Mutex<[Key: (counter: Prometheus.Counter, histogram: DurationHistogram)]>([:])

    func handles(listener: String, route: String, status: Int, admit: (String) -> String)
        -> (counter: Prometheus.Counter, histogram: DurationHistogram)
    {
        cache.withLock { cache in
            if let known = cache[Key(route: route, status: status)] { return known }
            let label = admit(route)
            let made = (
                trialRegistry.makeCounter(
                    descriptor: MetricNameDescriptor(metricName: "portico_http_requests", unitName: "total", helpText: "r"),
                    labels: [("listener", listener), ("route", label), ("status", String(status))]),
                trialRegistry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        metricName: "portico_http_request_duration", unitName: "seconds", helpText: "d"),
                    labels: [("listener", listener), ("route", label)], buckets: trialBuckets)
            )
            cache[Key(route: route, status: status)] = made
            return made
        }
    }
}
'''
open(p, 'w').write(s)
