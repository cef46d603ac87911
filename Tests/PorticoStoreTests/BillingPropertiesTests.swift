import PorticoCore
import PorticoTestSupport
import Testing

@testable import PorticoStore

/// Property tests over random histories: random plans and prices, periods 1–12, anchors on the
/// 28th–31st, forward and backward, random holds, early ends, `activeTo` moves, reactivations,
/// admin suspensions, payments and credit. After each history:
/// - the ledger check passes: every client balances, and for every service and cycle what was
///   billed minus what was credited equals the prorated figure of the days billed;
/// - running the day again issues nothing (so the days billed are exactly the days billable).
@Suite struct BillingPropertiesTests {
    @Test(arguments: 0..<48)
    func randomHistoryBalancesAndIsIdempotent(seed: Int) throws {
        // The seed advanced once, as these histories were first generated.
        var rng = SplitMix64(seed: UInt64(seed) &+ 0x9E37_79B9_7F4A_7C15)
        let stop = Bool.random(using: &rng)
        let f = try Fixture(settings: [
            ("invoicing.defaultType", Bool.random(using: &rng) ? "forward" : "backward"),
            ("invoicing.createDaysInAdvance", String(Int.random(in: 0...3, using: &rng))),
            ("suspension.enabled", String(Bool.random(using: &rng))),
            ("suspension.delayDays", String(Int.random(in: 0...10, using: &rng))),
            ("suspension.stopInvoicing", String(stop)),
            ("reactivation.enabled", "true"),
        ])
        defer { f.remove() }
        var periods = [1]
        for p in 2...12 where Int.random(in: 0..<4, using: &rng) == 0 { periods.append(p) }
        var prices: [Int: Money] = [:]
        for p in periods where p > 1 && Bool.random(using: &rng) {
            prices[p] = Money(Int64(Int.random(in: 100...200_000, using: &rng)))
        }
        let regular = try f.plan(
            "Regular", Int64.random(in: 99...19_999, using: &rng), periods: periods, prices: prices)
        let vacation = try f.plan("Vacation", Int64.random(in: 50...2_999, using: &rng), role: .primary)

        var services: [ServiceRecord] = []
        var clients: [ClientRecord] = []
        for c in 0..<Int.random(in: 1...2, using: &rng) {
            let client = try f.client("Client \(c)")
            clients.append(client)
            for s in 0..<Int.random(in: 1...2, using: &rng) {
                let month = [1, 3, 5, 7, 8, 10, 12].randomElement(using: &rng)!
                let day = Int.random(in: 28...31, using: &rng)
                let from = try LocalDate(year: 2026, month: month, day: day)
                let to: LocalDate? =
                    Int.random(in: 0..<3, using: &rng) == 0
                    ? from.adding(days: Int.random(in: 20...400, using: &rng)) : nil
                services.append(
                    try f.store.createService(
                        NewService(
                            clientId: client.id, planId: regular.id,
                            billingPeriodMonths: Bool.random(using: &rng) ? 1 : periods.randomElement(using: &rng),
                            invoicingType: [nil, .forward, .backward].randomElement(using: &rng)!,
                            activeFrom: from, activeTo: to, addresses: ["10.\(c).\(s).0/24"]),
                        on: from))
            }
        }

        var date = d("2026-01-15")
        var holds: [Int64] = []
        for _ in 0..<14 {
            date = date.adding(days: Int.random(in: 3...50, using: &rng))
            try f.store.runBilling(through: date.adding(days: -1))
            let client = clients.randomElement(using: &rng)!
            let service = services.filter { $0.service.clientId == client.id }.randomElement(using: &rng)!
            // Random actions may be invalid on the day (a hold on an ended service…): those are
            // refused with a BillingError and must change nothing, which the checks below cover.
            do {
                switch Int.random(in: 0..<8, using: &rng) {
                case 0, 1:
                    _ = try f.store.recordPayment(
                        clientId: client.id, amount: Money(Int64.random(in: 1...60_000, using: &rng)),
                        receivedOn: date, method: "cash")
                case 2:
                    let hold = try f.store.activateHold(
                        secondaryId: service.id, planId: vacation.id, from: date,
                        months: Int.random(in: 1...6, using: &rng))
                    holds.append(hold.primary.id)
                case 3:
                    if let h = holds.randomElement(using: &rng) { _ = try f.store.endHold(primaryId: h, on: date) }
                case 4:
                    let to: LocalDate? =
                        Bool.random(using: &rng) ? date.adding(days: Int.random(in: -20...120, using: &rng)) : nil
                    _ = try f.store.updateService(service.id, ServicePatch(activeTo: .some(to)), on: date)
                case 5:
                    let months = [1, 2, 3, 6, 12].randomElement(using: &rng)!
                    let quote = try f.store.quote(
                        clientId: client.id,
                        purpose: .reactivation(serviceId: service.id, months: months), on: date)
                    _ = try f.store.reactivate(
                        serviceId: service.id, months: months, on: date, amount: quote.total,
                        method: "test")
                case 6:
                    _ = try f.store.suspend(serviceId: service.id, on: date, reason: "test")
                default:
                    _ = try f.store.release(serviceId: service.id, on: date, reason: "test")
                }
            } catch is BillingError {}
        }
        let end = date.adding(days: 90)
        try f.store.runBilling(through: end)

        let problems = try f.store.ledgerCheck()
        #expect(problems.isEmpty, "seed \(seed): \(problems)")
        for client in clients {
            let again = try f.store.read { db, settings in
                let (state, _) = try Store.loadState(db, settings, clientId: client.id)
                return BillingDay(settings: settings).step(state, on: end, mode: .dailyRun)
            }
            #expect(again.documents.isEmpty, "seed \(seed): running \(end) again issued \(again.documents)")
            #expect(again.suspensionsOpened.isEmpty && again.suspensionsClosed.isEmpty, "seed \(seed)")
        }
    }
}
