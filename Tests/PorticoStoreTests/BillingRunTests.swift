import Foundation
import PorticoCore
import Testing

@testable import PorticoStore

@Suite struct BillingRunTests {
    /// SPEC §8: a run is idempotent and two runs at once cannot both proceed. Two processes'
    /// worth of connections (two `Store`s on one file) run the same dates on two threads.
    @Test func twoRunsAtOnceRunEachDateOnce() throws {
        let f = try Fixture()
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000)
        for i in 0..<40 {
            let c = try f.client("Client \(i)")
            _ = try f.service(c, plan, from: "2026-01-0\(1 + i % 9)", addresses: ["10.0.0.\(i)"])
        }
        let other = try Store(path: f.directory + "/portico.db")
        defer { other.close() }
        let reports = LockedBox<[BillingRunReport]>([])
        let group = DispatchGroup()
        for store in [f.store, other] {
            group.enter()
            Thread {
                if let r = try? store.runBilling(through: d("2026-03-31")) { reports.mutate { $0.append(r) } }
                group.leave()
            }.start()
        }
        group.wait()
        let both = reports.value
        #expect(both.count == 2)
        // Every date ran exactly once between the two, and nothing was issued twice.
        let dates = both.flatMap(\.dates)
        #expect(dates.count == Set(dates).count)
        #expect(Set(dates).count == 90)
        let documents = try f.store.clients().reduce(0) { $0 + (try f.store.documents(clientId: $1.id).count) }
        #expect(documents == 40 * 3)
        #expect(both.reduce(0) { $0 + $1.documentsIssued } == documents)
        // Running again issues nothing.
        #expect(try f.store.runBilling(through: d("2026-03-31")).dates.isEmpty)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func theFirstRunStartsAtTheEarliestServiceStart() throws {
        let f = try Fixture()
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000)
        _ = try f.service(try f.client(), plan, from: "2026-05-20")
        let report = try f.run("2026-05-22")
        #expect(report.dates == [d("2026-05-20"), d("2026-05-21"), d("2026-05-22")])
    }

    @Test func badInputWritesNothing() throws {
        let f = try Fixture()
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000, periods: [1, 3])
        let ana = try f.client()
        #expect(throws: BillingError.periodNotAllowed(plan: "Home 30", months: 6, allowed: [1, 3])) {
            try f.store.createService(
                NewService(
                    clientId: ana.id, planId: plan.id, billingPeriodMonths: 6,
                    activeFrom: d("2026-01-01")), on: d("2026-01-01"))
        }
        #expect(throws: BillingError.amountNotPositive(field: "amount")) {
            try f.store.recordPayment(clientId: ana.id, amount: 0, receivedOn: d("2026-01-01"), method: "cash")
        }
        #expect(throws: BillingError.notFound(kind: "plan", id: "99")) {
            try f.store.createService(
                NewService(clientId: ana.id, planId: 99, activeFrom: d("2026-01-01")), on: d("2026-01-01"))
        }
        #expect(throws: BillingError.self) {
            try f.store.createService(
                NewService(
                    clientId: ana.id, planId: plan.id, activeFrom: d("2026-01-01"),
                    addresses: ["10.0.0.300"]), on: d("2026-01-01"))
        }
        _ = try f.service(ana, plan, from: "2026-01-01", addresses: ["10.9.0.0/24"])
        let bob = try f.client("Bob")
        #expect(throws: BillingError.self) { try f.service(bob, plan, from: "2026-01-01", addresses: ["10.9.0.77"]) }
        #expect(throws: BillingError.invalidField("suspension.delayDays", "'soon' is not a whole number")) {
            try f.store.updateSettings([("suspension.delayDays", "soon")])
        }
        #expect(try f.store.services(on: d("2026-01-01")).count == 1)
        #expect(try f.store.payments().isEmpty)
        #expect(f.store.settings.suspension.delayDays == 0)
    }
}

/// A tiny lock-protected box for collecting results from threads in tests.
final class LockedBox<T>: @unchecked Sendable {
    // Safe: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: T
    init(_ v: T) { stored = v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&stored); lock.unlock() }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
}
