import Foundation
import PorticoCore

@testable import PorticoStore

/// `d("2026-03-01")`: a date literal for tests.
func d(_ s: String) -> LocalDate { try! LocalDate(s) }

/// A store on a fresh database with helpers to set up the worked examples.
struct Fixture {
    let store: Store
    let directory: String

    init(settings: [(String, String)] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try Store(path: directory + "/portico.db")
        if !settings.isEmpty { try store.updateSettings(settings.map { (key: $0.0, value: $0.1) }) }
    }

    func remove() {
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func plan(
        _ name: String, _ monthly: Int64, periods: [Int] = [1], prices: [Int: Money] = [:],
        role: OverrideRole = .secondary
    ) throws -> Plan {
        try store.createPlan(
            Plan(
                name: name, monthlyPrice: Money(monthly), billingPeriods: periods,
                periodPrices: prices, overrideRole: role))
    }

    func client(_ name: String = "Ana") throws -> ClientRecord {
        try store.createClient(ClientRecord(name: name, email: "ana@example.net"))
    }

    func service(
        _ client: ClientRecord, _ plan: Plan, from: String, to: String? = nil, period: Int? = nil,
        type: InvoicingType? = nil, addresses: [String] = ["198.51.100.7"]
    ) throws -> ServiceRecord {
        try store.createService(
            NewService(
                clientId: client.id, planId: plan.id, billingPeriodMonths: period, invoicingType: type,
                activeFrom: d(from), activeTo: to.map(d), addresses: addresses), on: d(from))
    }

    @discardableResult
    func run(_ through: String) throws -> BillingRunReport { try store.runBilling(through: d(through)) }

    func documents(_ client: ClientRecord) throws -> [DocumentRecord] { try store.documents(clientId: client.id) }

    func status(_ service: ServiceRecord, _ on: String) throws -> ServiceStatus {
        try store.service(service.id, on: d(on)).status
    }

    /// Stored status (what the daily run last wrote, which drives the walled garden).
    func storedStatus(_ service: ServiceRecord) throws -> ServiceStatus {
        try store.services(clientId: service.service.clientId, on: d("2000-01-01"))
            .first { $0.id == service.id }!.storedStatus
    }
}

/// What a test asserts about a document: kind, issue date, and each line's period and amount.
struct Doc: Equatable, CustomStringConvertible {
    var kind: DocumentDraft.Kind
    var issuedOn: String
    var lines: [String]
    var total: Int64

    init(_ kind: DocumentDraft.Kind, _ issuedOn: String, _ lines: [String], total: Int64) {
        self.kind = kind
        self.issuedOn = issuedOn
        self.lines = lines
        self.total = total
    }

    init(_ r: DocumentRecord) {
        kind = r.kind
        issuedOn = r.issuedOn.description
        lines = r.lines.map { "\($0.range.start)…\($0.range.lastDay) \($0.amount.minorUnits)" }
        total = r.total.minorUnits
    }

    var description: String { "\(kind.rawValue) \(issuedOn) \(lines) = \(total)" }
}
