import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// The hand-written path as Portico runs it per request, copied so this package builds in
// seconds without the product: `PerThread` (Sources/PorticoHTTP/PerThread.swift),
// `Histogram.Series` (Sources/PorticoWeb/Support/Metrics.swift) and `RequestSeries.record`
// (Sources/PorticoApp/Observability/PorticoMetrics.swift), unchanged but for names.

final class PerThread<Value: AnyObject & Sendable>: Sendable {
    private let key: pthread_key_t
    private let all = Mutex<[Value]>([])
    private let make: @Sendable () -> Value

    init(_ make: @escaping @Sendable () -> Value) {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0)
        self.key = key
        self.make = make
    }

    var current: Value {
        if let raw = pthread_getspecific(key) { return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue() }
        let value = make()
        all.withLock { $0.append(value) }
        pthread_setspecific(key, Unmanaged.passUnretained(value).toOpaque())
        return value
    }

    var every: [Value] { all.withLock { $0 } }
}

struct Series: Sendable {
    var buckets: [UInt64]
    var sum: Double = 0
    var count: UInt64 = 0

    mutating func add(_ value: Double, bucket: Int?) {
        if let bucket { buckets[bucket] += 1 }
        sum += value
        count += 1
    }
}

final class PorticoRequestSeries: Sendable {
    struct Key: Hashable {
        let route: String
        let status: Int
    }

    final class Shard: Sendable {
        struct State {
            var requests: [Key: Double] = [:]
            var durations: [String: Series] = [:]
            var admitted: [String: String] = [:]
        }

        let state = Mutex(State())
    }

    private let bounds: [Double]
    private let shards = PerThread { Shard() }
    private let routes = Mutex<Set<String>>([])

    init(bounds: [Double]) { self.bounds = bounds }

    func record(route: String, status: Int, seconds: Double) {
        let bucket = bounds.firstIndex { seconds <= $0 }
        let empty = bounds.count
        shards.current.state.withLock { state in
            let label: String
            if let known = state.admitted[route] {
                label = known
            } else {
                label = admit(route)
                state.admitted[route] = label
            }
            state.requests[Key(route: label, status: status), default: 0] += 1
            state.durations[label, default: Series(buckets: Array(repeating: 0, count: empty))]
                .add(seconds, bucket: bucket)
        }
    }

    private func admit(_ route: String) -> String {
        routes.withLock { seen in
            if seen.contains(route) { return route }
            guard seen.count < 100 else { return "other" }
            seen.insert(route)
            return route
        }
    }

    /// The requests counted over all threads (a scrape's sum), to check nothing was lost.
    var total: Double { shards.every.reduce(0) { $0 + $1.state.withLock { $0.requests.values.reduce(0, +) } } }
}
