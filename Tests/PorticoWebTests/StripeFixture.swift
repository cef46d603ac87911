import Foundation
import Logging
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport
import Synchronization

/// A running Portico with `gateway = stripe` pointed at a `StripeFake`, `off` firewall, and a
/// clock at noon UTC on 2027-05-15 that a test can move forward (webhook tolerance).
///
/// Sam (127.0.0.61) is suspended with March and April unpaid: 60.00 USD overdue; so is Ann
/// (127.0.0.62), another client of the same plan.
final class StripeFixture: Sendable {
    static let sam = "127.0.0.61"
    static let ann = "127.0.0.62"
    /// Where Stripe's webhooks come from: no client of the ISP.
    static let stripeSource = "127.0.0.200"
    static let noon: Int64 = 1_810_382_400  // 2027-05-15T12:00:00Z

    let fake: StripeFake
    let server: PorticoServer
    let directory: String
    let offset: Offset
    var store: Store { server.context.store }
    var firewall: OffFirewall { server.context.firewall as! OffFirewall }

    final class Offset: Sendable {
        let seconds = Atomic<Int64>(0)
    }

    /// `apiBase` replaces the fake's address (e.g. a closed port).
    /// `tls`: the portal also listens for HTTPS on 127.0.0.1:`tlsPort`.
    init(apiBase: String? = nil, requestTimeoutSeconds: Int = 5, tls: TLSFiles? = nil, tlsPort: UInt16 = 0) throws {
        fake = try StripeFake()
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("portico-stripe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/portico.db"
        do {
            let store = try Store(path: path)
            let plan = try store.createPlan(Plan(name: "Home 30", monthlyPrice: 3000))
            let sam = try store.createClient(ClientRecord(name: "Sam"))
            _ = try store.createService(
                NewService(
                    clientId: sam.id, planId: plan.id, activeFrom: d("2027-03-01"),
                    activeTo: nil, addresses: [Self.sam]), on: d("2027-03-01"))
            let ann = try store.createClient(ClientRecord(name: "Ann"))
            _ = try store.createService(
                NewService(
                    clientId: ann.id, planId: plan.id, activeFrom: d("2027-03-01"),
                    activeTo: nil, addresses: [Self.ann]), on: d("2027-03-01"))
            store.close()
        }
        var c = PorticoConfiguration()
        c.databasePath = path
        c.portalListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.adminListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.portalURL = "http://portal.test"
        c.templatesDirectory =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("templates").path
        c.ispName = "Test ISP"
        c.gateway = .stripe
        c.allowGatewayHosts = false  // Stripe's host names would be looked up in real DNS
        c.stripe.secretKey = Secret(StripeFake.secretKey)
        c.stripe.webhookSecret = Secret(StripeFake.webhookSecret)
        c.stripe.apiBase = apiBase ?? fake.apiBase
        c.stripe.requestTimeoutSeconds = requestTimeoutSeconds
        if let tls {
            c.portalHTTP.tls = tls
            c.portalTLSListen = ListenAddress(host: "127.0.0.1", port: tlsPort)
        }
        let offset = Offset()
        self.offset = offset
        let noon = Date(timeIntervalSince1970: TimeInterval(Self.noon))
        server = try PorticoServer(
            configuration: c, logger: Logger(label: "test"),
            clock: try InstallationClock(
                timeZone: "UTC",
                now: {
                    noon.addingTimeInterval(TimeInterval(offset.seconds.load(ordering: .relaxed)))
                }))
        try server.start()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Unix time of the portal's clock.
    var now: Int64 { Self.noon + offset.seconds.load(ordering: .relaxed) }

    func advance(seconds: Int64) { offset.seconds.add(seconds, ordering: .relaxed) }

    func get(_ source: String, _ path: String) throws -> TestResponse {
        try TestConnection(port: server.portalPort, source: source).request("GET", path)
    }

    func post(_ source: String, _ path: String, _ form: [String: String]) throws -> TestResponse {
        let body = form.map { "\($0.key)=\(URLText.encode($0.value))" }.joined(separator: "&")
        return try TestConnection(port: server.portalPort, source: source).request(
            "POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// Sam asks to pay the overdue invoices; returns the response (303 to Stripe on success).
    func startPayment() throws -> TestResponse {
        let csrf = try hidden(get(Self.sam, "/").text, "csrf")!
        return try post(Self.sam, "/pay", ["csrf": csrf])
    }

    /// Starts a payment and returns our checkout id and Stripe's session id.
    func startedCheckout() throws -> (checkout: String, session: String) {
        let r = try startPayment()
        guard r.status == 303, let location = r.header("Location"), let session = location.split(separator: "/").last,
            let checkout = fake.creates.last?.form["client_reference_id"]
        else { throw StripeFixtureError.noCheckout(r.status, r.text) }
        return (checkout, String(session))
    }

    /// Delivers a webhook the way Stripe does: POST with the signature, from outside.
    func webhook(_ body: [UInt8], signature: String?) throws -> TestResponse {
        var headers = [("Content-Type", "application/json; charset=utf-8")]
        if let signature { headers.append(("Stripe-Signature", signature)) }
        return try TestConnection(port: server.portalPort, source: Self.stripeSource)
            .request("POST", "/webhooks/stripe", headers: headers, body: body)
    }

    /// A webhook signed now with the endpoint's secret.
    func signedWebhook(_ body: [UInt8]) throws -> TestResponse {
        try webhook(body, signature: StripeFake.sign(body, at: now))
    }

    var samId: Int64 { get throws { try store.clients().first { $0.name == "Sam" }!.id } }

    var releases: Int {
        firewall.operations.filter { if case .release = $0 { true } else { false } }.count
    }

    /// What a change must leave alone: payments, the checkout's status, the firewall's log.
    func snapshot(_ checkout: String) throws -> Snapshot {
        Snapshot(
            payments: try store.payments().count, status: try store.checkout(checkout).status,
            firewallOperations: firewall.operations.count)
    }

    struct Snapshot: Equatable {
        var payments: Int
        var status: CheckoutRecord.Status
        var firewallOperations: Int
    }
}

enum StripeFixtureError: Error { case noCheckout(Int, String) }
