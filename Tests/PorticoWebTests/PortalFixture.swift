import Foundation
import Logging
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport

func d(_ s: String) -> LocalDate { try! LocalDate(s) }

/// A running Portico on loopback (ports chosen by the kernel), `off` firewall, the test gateway,
/// and a clock fixed at noon UTC on `today`.
final class PortalFixture {
    let server: PorticoServer
    let directory: String
    var store: Store { server.context.store }
    var firewall: OffFirewall { server.context.firewall as! OffFirewall }

    /// `setUp` fills the database before the server starts (and runs billing through `today`).
    init(today: String, settings: [(String, String)] = [], setUp: (Store) throws -> Void) throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("portico-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/portico.db"
        do {
            let store = try Store(path: path)
            if !settings.isEmpty { try store.updateSettings(settings.map { (key: $0.0, value: $0.1) }) }
            try setUp(store)
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
        c.contact = "help@isp.test"
        let noon = ISO8601DateFormatter().date(from: today + "T12:00:00Z")!
        server = try PorticoServer(
            configuration: c, logger: Logger(label: "test"),
            clock: try InstallationClock(timeZone: "UTC", now: { noon }))
        try server.start()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new connection to the portal from `source`.
    func connect(_ source: String) throws -> TestConnection {
        try TestConnection(port: server.portalPort, source: source)
    }

    func get(_ source: String, _ path: String, host: String = "portal.test") throws -> TestResponse {
        try connect(source).request("GET", path, host: host)
    }

    func post(_ source: String, _ path: String, _ form: [String: String]) throws -> TestResponse {
        let body = form.map { "\($0.key)=\(URLText.encode($0.value))" }.joined(separator: "&")
        return try connect(source).request(
            "POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// The portal page's CSRF token for `source`.
    func csrf(_ source: String) throws -> String {
        try hidden(get(source, "/").text, "csrf")!
    }

    /// Follows a checkout through the test gateway: the gateway page's signed form, then `outcome`.
    func payAtTestGateway(_ source: String, redirect: TestResponse, outcome: String = "paid") throws -> (
        id: String, response: TestResponse
    ) {
        let location = redirect.header("Location")!
        let id = String(location.split(separator: "/").last!)
        let page = try get(source, location).text
        var form = ["outcome": outcome]
        for name in ["amount", "currency", "signature"] { form[name] = hidden(page, name) }
        return (id, try post(source, location, form))
    }
}

/// The value of `<input type="hidden" name="NAME" value="…">` in `html`.
func hidden(_ html: String, _ name: String) -> String? {
    guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    return String(html[r.upperBound...].prefix { $0 != "\"" })
}
