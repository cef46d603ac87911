import Foundation
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPortal
import PorticoWebSupport
import Synchronization

/// Portico's metric families (README "Metrics" lists them).
public struct PorticoMetrics: Sendable {
    public let registry = MetricsRegistry()
    /// Latency buckets in seconds: a portal redirect takes tens of microseconds, a checkout that
    /// calls Stripe up to its timeout.
    static let latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public let requests: Counter
    public let requestDuration: Histogram
    public let releases: Counter
    public let releaseDuration: Histogram
    public let suspensions: Counter
    public let firewallErrors: Counter
    public let reconcilerRepairs: Counter
    public let reconcilerRuns: Counter
    public let billingRunDuration: Histogram
    public let billingDates: Counter
    public let billingErrors: Counter
    public let mailDeliveries: Counter
    public let reloads: Counter

    public init() {
        requests = registry.counter(
            "portico_http_requests", "HTTP requests answered, by listener, route and status.",
            labels: ["listener", "route", "status"])
        requestDuration = registry.histogram(
            "portico_http_request_duration_seconds",
            "Time from the request's arrival at the handler to its response.",
            labels: ["listener", "route"], buckets: Self.latencyBuckets)
        releases = registry.counter(
            "portico_walled_garden_releases", "Addresses and prefixes released from the walled garden.")
        releaseDuration = registry.histogram(
            "portico_walled_garden_release_duration_seconds",
            "Time for a release batch, until the kernel acknowledged it (conntrack cleanup included).",
            buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 1])
        suspensions = registry.counter(
            "portico_walled_garden_suspensions", "Addresses and prefixes added to the walled garden.")
        firewallErrors = registry.counter(
            "portico_walled_garden_errors", "Failed walled-garden changes (the reconciler repairs them).")
        reconcilerRepairs = registry.counter(
            "portico_reconciler_repairs",
            "Differences between the database and the kernel sets that the reconciler repaired.",
            labels: ["kind"])
        reconcilerRuns = registry.counter(
            "portico_reconciler_runs", "Reconciler passes, by outcome.", labels: ["outcome"])
        billingRunDuration = registry.histogram(
            "portico_billing_run_duration_seconds",
            "Duration of a daily-run pass (every date it caught up).",
            buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300])
        billingDates = registry.counter("portico_billing_dates_run", "Dates the daily run completed in this process.")
        billingErrors = registry.counter(
            "portico_billing_run_errors", "Daily-run passes that failed (retried at the next tick).")
        mailDeliveries = registry.counter(
            "portico_mail_deliveries", "Outbox delivery attempts, by outcome.", labels: ["outcome"])
        reloads = registry.counter("portico_reloads", "SIGHUP reloads, by outcome.", labels: ["outcome"])
        let started = Date().timeIntervalSince1970
        registry.gauge("portico_start_time_seconds", "When this process started (Unix time).") { [([], started)] }
    }

    /// Gauges read from the running server when scraped.
    func addGauges(
        stopped: @escaping @Sendable () -> Int, outbox: @escaping @Sendable () -> (queued: Int, failed: Int)?,
        lastRun: @escaping @Sendable () -> Double?
    ) {
        registry.gauge(
            "portico_walled_garden_stopped_addresses",
            "Addresses and prefixes in the walled garden now (suspended or ended services)."
        ) {
            [([], Double(stopped()))]
        }
        registry.gauge(
            "portico_outbox_messages", "Outbox messages waiting to be sent, and given up on.",
            labels: ["status"]
        ) {
            guard let o = outbox() else { return [] }
            return [(["queued"], Double(o.queued)), (["failed"], Double(o.failed))]
        }
        registry.gauge(
            "portico_billing_last_run_date_seconds",
            "The last date the daily run completed, as Unix time of its midnight UTC."
        ) {
            lastRun().map { [([], $0)] } ?? []
        }
    }

    /// Wraps a handler: counts the request under its route label and times it.
    func instrument(
        listener: String, ownHosts: OwnHosts, _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    )
        -> @Sendable (HTTPRequest) -> HTTPResponse
    {
        instrument(
            series: RequestSeries(listener: listener, requests: requests, duration: requestDuration),
            ownHosts: ownHosts, handler)
    }

    /// Wraps a listener's fast path and handler into the same series: a fast answer counts
    /// under its `metricsRoute` (or `fast`), timed like any other.
    func instrument(
        listener: String, ownHosts: OwnHosts, fastPath: @escaping FastPath,
        _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) -> (fastPath: FastPath, handler: @Sendable (HTTPRequest) -> HTTPResponse) {
        let series = RequestSeries(listener: listener, requests: requests, duration: requestDuration)
        let fast: FastPath = { glance in
            let start = ContinuousClock.now
            guard let response = fastPath(glance) else { return nil }
            let elapsed = ContinuousClock.now - start
            series.record(
                route: response.metricsRoute ?? "fast", status: response.status,
                seconds: Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            return response
        }
        return (fast, instrument(series: series, ownHosts: ownHosts, handler))
    }

    private func instrument(
        series: RequestSeries, ownHosts: OwnHosts, _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) -> @Sendable (HTTPRequest) -> HTTPResponse {
        return { request in
            let start = ContinuousClock.now
            // A deferred answer (`HTTPResponse.later`) is counted when it is finally sent, timed
            // from here: what the client waited.
            return handler(request).whenAnswered { response in
                let elapsed = ContinuousClock.now - start
                series.record(
                    route: response.metricsRoute
                        ?? RouteLabel.label(request, status: response.status, ownHosts: ownHosts),
                    status: response.status,
                    seconds: Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                return response
            }
        }
    }
}

/// One listener's request counts and durations, kept per thread: the portal answers tens of
/// thousands of requests a second on libmicrohttpd's threads, and a shared lock or counter
/// would bounce between the cores on every one. Each thread records into its own shard
/// (`PerThread`, locked only against a scrape); a scrape sums the shards into the `requests`
/// and `duration` families.
final class RequestSeries: Sendable {
    struct Key: Hashable {
        let route: String
        let status: Int
    }

    /// One thread's series: (route, status) → requests, and route → durations.
    final class Shard: Sendable {
        struct State {
            var requests: [Key: Double] = [:]
            var durations: [String: Histogram.Series] = [:]
            /// Route labels this shard already had admitted (a hit skips the shared budget).
            var admitted: [String: String] = [:]
        }

        let state = Mutex(State())
    }

    private let listener: String
    private let bounds: [Double]
    private let shards = PerThread { Shard() }
    /// Route labels admitted on this listener, over all threads; past `RouteLabel.limit`,
    /// new ones count as `other`.
    private let routes = Mutex<Set<String>>([])

    init(listener: String, requests: Counter, duration: Histogram) {
        self.listener = listener
        bounds = duration.bounds
        requests.addSource { [self] in
            var all: [[String]: Double] = [:]
            for shard in shards.every {
                for (k, n) in shard.state.withLock({ $0.requests }) {
                    all[[listener, k.route, String(k.status)], default: 0] += n
                }
            }
            return all
        }
        duration.addSource { [self] in
            var all: [[String]: Histogram.Series] = [:]
            for shard in shards.every {
                for (route, series) in shard.state.withLock({ $0.durations }) {
                    all[[listener, route]] = all[[listener, route]].map { $0.merged(with: series) } ?? series
                }
            }
            return all
        }
    }

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
            state.durations[label, default: Histogram.Series(buckets: Array(repeating: 0, count: empty))]
                .add(seconds, bucket: bucket)
        }
    }

    private func admit(_ route: String) -> String {
        routes.withLock { seen in
            if seen.contains(route) { return route }
            guard seen.count < RouteLabel.limit else { return "other" }
            seen.insert(route)
            return route
        }
    }
}

/// A route label with bounded cardinality: the path with identifiers replaced by `{id}`;
/// `foreign` for the portal's redirects of other hosts; `unmatched` for every 404; and past
/// `limit` distinct labels on a listener (a scanner walking paths that redirect to a
/// sign-in page), `other`. So scanners
/// cannot make new series.
enum RouteLabel {
    /// Distinct labels a listener may use; past it, `other`.
    static let limit = 100

    static func label(_ request: HTTPRequest, status: Int, ownHosts: OwnHosts) -> String {
        if !ownHosts.isEmpty, !ownHosts.contains(hostHeader: request.headers["Host"]) { return "foreign" }
        if status == 404 { return "unmatched" }
        let segments = request.path.split(separator: "/").prefix(6).map { segment -> String in
            let s = String(segment)
            let id = s.allSatisfy(\.isNumber) || s.count > 24 || (s.count >= 8 && s.contains(where: \.isNumber))
            return id ? "{id}" : s
        }
        return "/" + segments.joined(separator: "/")
    }
}

/// The walled garden with its changes counted and timed; everything else passes through.
final class InstrumentedFirewall: WalledGardenFirewall {
    let base: any WalledGardenFirewall
    let metrics: PorticoMetrics

    init(_ base: any WalledGardenFirewall, metrics: PorticoMetrics) {
        self.base = base
        self.metrics = metrics
    }

    func rebuild(_ state: WalledGardenState) throws { try base.rebuild(state) }

    func suspend(_ prefixes: [IPPrefix]) throws {
        do {
            try base.suspend(prefixes)
            metrics.suspensions.increment(by: Double(prefixes.count))
        } catch {
            metrics.firewallErrors.increment()
            throw error
        }
    }

    func release(_ prefixes: [IPPrefix]) throws {
        let start = ContinuousClock.now
        do {
            try base.release(prefixes)
        } catch {
            metrics.firewallErrors.increment()
            throw error
        }
        let elapsed = ContinuousClock.now - start
        metrics.releaseDuration.observe(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        metrics.releases.increment(by: Double(prefixes.count))
    }

    func suspendedPrefixes() throws -> [IPPrefix] { try base.suspendedPrefixes() }

    func reconcile(_ state: WalledGardenState) throws -> ReconcileReport {
        let report = try base.reconcile(state)
        metrics.reconcilerRepairs.increment(["added"], by: Double(report.added.count))
        metrics.reconcilerRepairs.increment(["removed"], by: Double(report.removed.count))
        metrics.reconcilerRepairs.increment(["allowed_added"], by: Double(report.allowedAdded.count))
        metrics.reconcilerRepairs.increment(["allowed_removed"], by: Double(report.allowedRemoved.count))
        if report.tableRebuilt { metrics.reconcilerRepairs.increment(["table_rebuilt"]) }
        return report
    }
}
