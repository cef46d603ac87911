import PorticoCore
import PorticoStore

/// The demo installation behind `make run`: plans, clients and services in every state, on
/// dates relative to `today` so the demo always shows the same picture.
public enum Demo {
    public struct Summary: Sendable {
        public var clients: [(name: String, address: String, status: ServiceStatus)]
        public var documents: Int
        public var run: BillingRunReport
    }

    /// Fills an empty store and runs billing through `today`. On a store that already has
    /// clients it only catches billing up.
    public static func populate(_ store: Store, today: LocalDate) throws -> Summary {
        if try store.clients().isEmpty {
            try store.updateSettings([
                ("reactivation.enabled", "true"), ("suspension.delayDays", "3"),
                ("suspension.allowPostpone", "true"),
            ])
            let home = try store.createPlan(
                Plan(
                    name: "Home 30", monthlyPrice: 3000, billingPeriods: [1, 3, 6, 12],
                    periodPrices: [3: 8500, 12: 32000], overrideRole: .secondary))
            let vacation = try store.createPlan(Plan(name: "Vacation", monthlyPrice: 1500, overrideRole: .primary))
            let start = today.addingMonths(-3)
            func add(_ name: String, _ address: String, from: LocalDate, to: LocalDate? = nil) throws -> (
                ClientRecord, ServiceRecord
            ) {
                let c = try store.createClient(
                    ClientRecord(name: name, email: "\(name.lowercased().split(separator: " ")[0])@example.net"))
                let s = try store.createService(
                    NewService(
                        clientId: c.id, planId: home.id, activeFrom: from, activeTo: to,
                        addresses: [address]), on: from)
                return (c, s)
            }
            let (paying, _) = try add("Ana Active", "127.0.0.10", from: start)
            _ = try add("Sam Suspended", "127.0.0.11", from: start)
            _ = try add("Eve Ended", "127.0.0.12", from: start, to: today.addingMonths(-1))
            let (holding, held) = try add("Hal Holiday", "127.0.0.13", from: start)
            _ = try add("Nia New", "127.0.0.14", from: today.adding(days: 7))
            // Billing up to the day before the hold, paying the clients who pay.
            try store.runBilling(through: today.adding(days: -1))
            for c in [paying, holding] {
                let due = try store.client(c.id).balanceDue
                if due > .zero {
                    _ = try store.recordPayment(
                        clientId: c.id, amount: due + 3000, receivedOn: today.adding(days: -1),
                        method: "cash", reference: "demo")
                }
            }
            _ = try store.activateHold(secondaryId: held.id, planId: vacation.id, from: today, months: 2)
        }
        let run = try store.runBilling(through: today)
        var clients: [(String, String, ServiceStatus)] = []
        for c in try store.clients() {
            for s in try store.services(clientId: c.id, on: today) where s.service.overrideRole != .primary {
                clients.append((c.name, s.service.addresses.first?.description ?? "-", s.status))
            }
        }
        let documents = try store.clients().reduce(0) { $0 + (try store.documents(clientId: $1.id).count) }
        return Summary(clients: clients, documents: documents, run: run)
    }
}
