import Foundation
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoWeb
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
        listener: String, ownHosts: Set<String>, _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    )
        -> @Sendable (HTTPRequest) -> HTTPResponse
    {
        let requests = requests
        let requestDuration = requestDuration
        let seen = RouteLabel.Budget()
        return { request in
            let start = ContinuousClock.now
            let response = handler(request)
            let elapsed = ContinuousClock.now - start
            let route = seen.admit(RouteLabel.label(request, status: response.status, ownHosts: ownHosts))
            requests.increment([listener, route, String(response.status)])
            requestDuration.observe(
                Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds),
                [listener, route])
            return response
        }
    }
}

/// A route label with bounded cardinality: the path with identifiers replaced by `{id}`;
/// `foreign` for the portal's redirects of other hosts; `unmatched` for every 404; and past
/// `Budget.limit` distinct labels on a listener (a scanner walking paths that redirect to a
/// sign-in page), `other`. So scanners
/// cannot make new series.
enum RouteLabel {
    /// The labels a listener has used; new ones are admitted up to `limit`.
    final class Budget: Sendable {
        static let limit = 100
        private let labels = Mutex<Set<String>>([])

        func admit(_ label: String) -> String {
            labels.withLock { seen in
                if seen.contains(label) { return label }
                guard seen.count < Self.limit else { return "other" }
                seen.insert(label)
                return label
            }
        }
    }

    static func label(_ request: HTTPRequest, status: Int, ownHosts: Set<String>) -> String {
        if !ownHosts.isEmpty, let host = request.headers["Host"].map(URLText.hostOnly), !host.isEmpty,
            !ownHosts.contains(host)
        {
            return "foreign"
        }
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
