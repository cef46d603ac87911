import Foundation
import Logging
import PorticoAPI
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport
import Synchronization

/// The installation's "now" for API tests, movable between requests.
final class APITestNow: Sendable {
    let instant: Mutex<Date>
    init(_ date: LocalDate) { instant = Mutex(APITestNow.noon(date)) }
    func set(_ date: LocalDate) { instant.withLock { $0 = APITestNow.noon(date) } }
    static func noon(_ d: LocalDate) -> Date { Date(timeIntervalSince1970: Double(d.dayNumber) * 86_400 + 43_200) }
}

/// A response with its body parsed as JSON.
struct APIResult {
    let response: HTTPResponse
    var status: Int { response.status }
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { (object["error"] as? [String: Any])?["message"] as? String ?? "" }
    func header(_ name: String) -> String? { response.header(name) }
}

/// Everything a comparison of "before" and "after" a refused request needs: if any of it
/// changed, the request changed something.
struct APIStateSnapshot: Equatable {
    var plans: [Plan]
    var clients: [ClientRecord]
    var services: [ServiceRecord]
    var documents: [DocumentRecord]
    var payments: [PaymentRecord]
    var settings: Settings
    var lastRun: LocalDate?
    var stopped: Set<IPPrefix>
    var firewallOperations: [OffFirewall.Operation]
}

/// An admin API over a fresh database, the `off` firewall and a fixed clock, with a token.
struct APIFixture {
    let directory: String
    let store: Store
    let firewall: OffFirewall
    let context: WebContext
    let api: AdminAPI
    let token: String
    let now: APITestNow

    enum Auth {
        case fixtureToken
        case none
        case header(String)
    }

    init(today: String = "2026-03-01", settings: [(String, String)] = []) throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("portico-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try Store(path: directory + "/portico.db")
        if !settings.isEmpty { try store.updateSettings(settings.map { (key: $0.0, value: $0.1) }) }
        firewall = OffFirewall()
        let now = APITestNow(try LocalDate(today))
        self.now = now
        let clock = try InstallationClock(timeZone: "UTC", now: { now.instant.withLock { $0 } })
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        context = try WebContext(
            store: store, firewall: firewall, clock: clock,
            gateway: TestGateway(secret: [UInt8](repeating: 7, count: 32)),
            templates: Templates(directory: repo.appendingPathComponent("templates").path),
            branding: Branding(portalURL: "http://portal.test"), logger: Logger(label: "portico.api.test"))
        store.setMessageComposer(context.emailComposer)
        api = AdminAPI(context: context)
        token = try AdminAPI.createToken(name: "tests", store: store, on: try LocalDate(today))
    }

    func remove() {
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func setToday(_ date: String) { now.set(Self.date(date)) }

    static func date(_ s: String) -> LocalDate { try! LocalDate(s) }

    /// Calls the API at `/api/v1` + `path` with a JSON body given as text.
    @discardableResult
    func call(
        _ method: String, _ path: String, _ body: String? = nil, auth: Auth = .fixtureToken,
        headers: [(String, String)] = []
    ) -> APIResult {
        var h = HTTPHeaders()
        switch auth {
        case .fixtureToken: h.append(name: "Authorization", value: "Bearer \(token)")
        case .none: break
        case .header(let value): h.append(name: "Authorization", value: value)
        }
        if body != nil { h.append(name: "Content-Type", value: "application/json") }
        for (name, value) in headers { h.append(name: name, value: value) }
        let request = HTTPRequest(
            method: method, path: AdminAPI.prefix + path, headers: h,
            body: Array((body ?? "").utf8))
        return APIResult(response: api.handle(request))
    }

    func snapshot() throws -> APIStateSnapshot {
        let clients = try store.clients()
        return APIStateSnapshot(
            plans: try store.plans(), clients: clients, services: try store.services(on: Self.date("2026-06-01")),
            documents: try clients.flatMap { try store.documents(clientId: $0.id) }, payments: try store.payments(),
            settings: store.settings, lastRun: try store.lastRunDate(), stopped: try store.stoppedAddresses(),
            firewallOperations: firewall.operations)
    }

    // MARK: Set-up through the API

    func createPlan(_ name: String, _ monthly: Int, role: String = "secondary", periods: [Int] = [1]) throws -> Int {
        let r = call(
            "POST", "/plans",
            #"{"name": "\#(name)", "monthlyPrice": \#(monthly), "overrideRole": "\#(role)", "billingPeriods": \#(periods)}"#
        )
        guard r.status == 201, let id = r.object["id"] as? Int else {
            throw APIFixtureError("plan: \(r.status) \(r.errorMessage)")
        }
        return id
    }

    func createClient(_ name: String = "Ana") throws -> Int {
        let r = call("POST", "/clients", #"{"name": "\#(name)", "email": "ana@example.net"}"#)
        guard r.status == 201, let id = r.object["id"] as? Int else {
            throw APIFixtureError("client: \(r.status) \(r.errorMessage)")
        }
        return id
    }

    func createService(
        client: Int, plan: Int, from: String, to: String? = nil,
        addresses: [String] = ["198.51.100.7"]
    ) throws -> Int {
        let list = addresses.map { "\"\($0)\"" }.joined(separator: ", ")
        let activeTo = to.map { ", \"activeTo\": \"\($0)\"" } ?? ""
        let r = call(
            "POST", "/services",
            #"{"clientId": \#(client), "planId": \#(plan), "activeFrom": "\#(from)", "addresses": [\#(list)]\#(activeTo)}"#
        )
        guard r.status == 201, let id = r.object["id"] as? Int else {
            throw APIFixtureError("service: \(r.status) \(r.errorMessage)")
        }
        return id
    }
}

struct APIFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
