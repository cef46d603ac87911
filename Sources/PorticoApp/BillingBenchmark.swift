import Foundation
import PorticoCore
import PorticoStore

/// `portico bench billing`: the daily run for many services over a month of dates on a file
/// database. Setup (creating the services through the same validation the API uses) is timed
/// apart from the run.
public enum BillingBenchmark {
    public struct Setup: Sendable {
        public var services: Int
        public var seconds: Double
        public var first: LocalDate
    }

    /// Creates `count` clients with one monthly service each, their start days spread over the
    /// month from `first`, a third backward-invoiced.
    public static func setUp(_ store: Store, count: Int, first: LocalDate) throws -> Setup {
        let started = Date()
        let plan = try store.createPlan(Plan(name: "Bench 30", monthlyPrice: 3000, billingPeriods: [1, 3]))
        for i in 0..<count {
            let c = try store.createClient(ClientRecord(name: "Client \(i)"))
            let address = "10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)"
            _ = try store.createService(
                NewService(
                    clientId: c.id, planId: plan.id, billingPeriodMonths: i % 10 == 0 ? 3 : 1,
                    invoicingType: i % 3 == 0 ? .backward : .forward,
                    activeFrom: first.adding(days: i % 28), addresses: [address]), on: first)
        }
        return Setup(services: count, seconds: Date().timeIntervalSince(started), first: first)
    }

    public struct Result: Sendable {
        public var dates: Int
        public var documents: Int
        public var seconds: Double
        public var suspended: Int
    }

    /// Runs the daily job from the first service start through `through`.
    public static func run(_ store: Store, through: LocalDate) throws -> Result {
        let started = Date()
        let report = try store.runBilling(through: through)
        return Result(
            dates: report.dates.count, documents: report.documentsIssued,
            seconds: Date().timeIntervalSince(started), suspended: report.delta.suspend.count)
    }

    /// Peak resident memory of this process so far, in MiB (getrusage's ru_maxrss).
    public static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
