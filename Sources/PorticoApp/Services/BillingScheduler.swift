import Foundation
import Logging
import PorticoCore
import PorticoStore
import Synchronization

/// What one scheduler tick ran in this process.
public struct SchedulerReport: Sendable, Equatable {
    public var dates: [LocalDate] = []
    public var clientsStepped = 0
    public var documentsIssued = 0
    public var delta = WalledGardenDelta()
    public init() {}
}

/// The daily run's clock (SPEC §8): once `billing.runAt` has passed in the installation's time
/// zone, billing runs through today; before it, through yesterday. Each tick catches up date by
/// date from the last date run, so downtime and a clock jumped forward both end in the same
/// place. Two Portico processes on one database never run a date twice: each date is one
/// `BEGIN IMMEDIATE` transaction that first checks `billing_runs`, so the second process waits
/// for the first one's date, then finds it done and goes on to the next.
public final class BillingScheduler: Sendable {
    let store: Store
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: PorticoMetrics?
    /// Carries out what a run did to the walled garden (the server's `LocalWalledGarden.apply`).
    let apply: @Sendable (WalledGardenDelta) -> Void
    /// Called when another process ran dates this one did not: reload what it derived from them.
    let ranElsewhere: @Sendable () -> Void
    private let previousTick = Mutex<(wall: Date, monotonic: ContinuousClock.Instant)?>(nil)
    /// How long a busy database (another instance's run) is waited for before giving up until
    /// the next tick.
    let busyWaitLimit: Duration

    public init(
        store: Store, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger, metrics: PorticoMetrics? = nil,
        busyWaitLimit: Duration = .seconds(600),
        apply: @escaping @Sendable (WalledGardenDelta) -> Void = { _ in },
        ranElsewhere: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.now = now
        self.logger = logger
        self.metrics = metrics
        self.busyWaitLimit = busyWaitLimit
        self.apply = apply
        self.ranElsewhere = ranElsewhere
    }

    /// The last date that should have run at `instant`: today once `runAt` (`HH:MM`) has passed
    /// in `timeZone`, else yesterday.
    public static func dueThrough(_ instant: Date, runAt: String, timeZone: TimeZone) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let today = (try? LocalDate(year: c.year!, month: c.month!, day: c.day!)) ?? LocalDate(dayNumber: 0)
        let parts = runAt.split(separator: ":").compactMap { Int($0) }
        let runMinute = (parts.first ?? 0) * 60 + (parts.count > 1 ? parts[1] : 0)
        return c.hour! * 60 + c.minute! >= runMinute ? today : today.adding(days: -1)
    }

    /// One tick: runs every date due and not yet run, in order. Returns what this process ran.
    @discardableResult
    public func tick() throws -> SchedulerReport {
        let instant = now()
        noticeClockJump(instant)
        let settings = store.settings
        guard let zone = TimeZone(identifier: settings.billing.timeZone) else {
            throw BillingError.invalidField(
                "billing.timeZone", "'\(settings.billing.timeZone)' is not an IANA time zone")
        }
        let through = Self.dueThrough(instant, runAt: settings.billing.runAt, timeZone: zone)
        let lastBefore = try store.lastRunDate()
        if let lastBefore, lastBefore >= through { return SchedulerReport() }

        let start = ContinuousClock.now
        let report = try runWaitingForOthers(through: through)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics?.billingRunDuration.observe(seconds)
        metrics?.billingDates.increment(by: Double(report.dates.count))
        apply(report.delta)
        if let first = report.dates.first, let last = report.dates.last {
            logger.info(
                "billing run",
                metadata: [
                    "first": "\(first)", "last": "\(last)", "dates": "\(report.dates.count)",
                    "clients": "\(report.clientsStepped)", "documents": "\(report.documentsIssued)",
                    "suspended": "\(report.delta.suspend.count)", "released": "\(report.delta.release.count)",
                    "seconds": "\(String(format: "%.3f", seconds))",
                ])
        }
        // Dates run by another process: the walled garden and the directory follow the database.
        let lastAfter = try store.lastRunDate()
        if lastAfter != report.dates.last, lastAfter != lastBefore {
            logger.info(
                "billing dates run by another process", metadata: ["through": "\(lastAfter.map { "\($0)" } ?? "-")"])
            ranElsewhere()
        }
        return report
    }

    /// SQLITE_BUSY, a primary result code.
    static let sqliteBusy: Int32 = 5

    /// `runBilling`, retried while another connection holds the write lock longer than SQLite's
    /// busy timeout (another instance running a long date).
    func runWaitingForOthers(through: LocalDate) throws -> SchedulerReport {
        let deadline = ContinuousClock.now + busyWaitLimit
        var merged = SchedulerReport()
        while true {
            do {
                let report = try store.runBilling(through: through)
                merged.dates += report.dates
                merged.clientsStepped += report.clientsStepped
                merged.documentsIssued += report.documentsIssued
                merged.delta.merge(report.delta)
                return merged
            } catch let error as SQLiteError where error.code == Self.sqliteBusy && ContinuousClock.now < deadline {
                logger.notice("waiting for another process's daily run", metadata: ["through": "\(through)"])
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Logs a jump of the wall clock against the monotonic clock between two ticks (NTP
    /// stepping the clock, a VM resumed): a jump forward is caught up date by date by this tick.
    func noticeClockJump(_ instant: Date) {
        let monotonic = ContinuousClock.now
        let previous = previousTick.withLock { p in
            defer { p = (instant, monotonic) }
            return p
        }
        guard let previous else { return }
        let wall = instant.timeIntervalSince(previous.wall)
        let elapsed = monotonic - previous.monotonic
        let steady = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if abs(wall - steady) > 120 {
            logger.warning("clock jump", metadata: ["seconds": "\(Int(wall - steady))"])
        }
    }
}
