import Foundation
import FuzzSupport
import Logging
import PorticoAPI
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPayments
import PorticoStore
import PorticoWebSupport

/// The endpoints that take a body, on rows the fixture created (plan 1 and 2, client 1,
/// service 1). Not the billing run: over the thousands of clients a fuzzing run creates, a
/// year of daily runs under ASan outlasts libFuzzer's time-out without anything being wrong. Its
/// body goes through `Decoders`, and its bound on the date has a regression test.
enum Endpoints {
    static let all: [(method: String, path: String)] = [
        ("POST", "/plans"), ("POST", "/clients"), ("POST", "/services"), ("PATCH", "/services/1"),
        ("PATCH", "/settings"), ("POST", "/payments"),
        ("POST", "/services/1/vacation-hold/preview"), ("POST", "/services/1/vacation-hold"),
        ("POST", "/services/1/vacation-hold/end"), ("POST", "/services/1/suspend"),
        ("POST", "/services/1/release"),
    ]
}

/// One admin API over a temporary database, made on first use and removed at exit.
private let fixture: (api: AdminAPI, token: String) = {
    do {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-fuzz-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        fuzzDatabaseDirectory = directory
        atexit { if let d = fuzzDatabaseDirectory { try? FileManager.default.removeItem(atPath: d) } }
        let store = try Store(path: directory + "/portico.db")
        let today = try LocalDate("2026-03-01")
        let clock = try InstallationClock(timeZone: "UTC", now: { Date(timeIntervalSince1970: 1_772_366_400) })
        let repo = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let context = try WebContext(
            store: store, firewall: OffFirewall(), clock: clock,
            gateway: TestGateway(secret: [UInt8](repeating: 7, count: 32)),
            templates: Templates(directory: repo.appendingPathComponent("templates").path),
            branding: Branding(portalURL: "http://portal.test"),
            logger: Logger(label: "portico.fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        let api = AdminAPI(context: context)
        let token = try AdminAPI.createToken(name: "fuzz", store: store, on: today)
        for body in [
            #"{"name": "Regular", "monthlyPrice": 3000, "billingPeriods": [1, 3]}"#,
            #"{"name": "Vacation", "monthlyPrice": 1500, "overrideRole": "primary"}"#,
        ] {
            _ = call(api, token, "POST", "/plans", Array(body.utf8))
        }
        _ = call(api, token, "POST", "/clients", Array(#"{"name": "Ana"}"#.utf8))
        _ = call(
            api, token, "POST", "/services",
            Array(#"{"clientId": 1, "planId": 1, "activeFrom": "2026-01-01", "addresses": ["198.51.100.7"]}"#.utf8))
        return (api, token)
    } catch {
        fatalError("fuzz fixture: \(error)")
    }
}()

nonisolated(unsafe) private var fuzzDatabaseDirectory: String?

private func call(_ api: AdminAPI, _ token: String, _ method: String, _ path: String, _ body: [UInt8]) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.append(name: "Authorization", value: "Bearer \(token)")
    headers.append(name: "Content-Type", value: "application/json")
    return api.handle(HTTPRequest(method: method, path: AdminAPI.prefix + path, headers: headers, body: body))
}

/// Sends `body` to an endpoint: the answer is never a 5xx, and it is JSON; a 4xx has the
/// error shape `{"error": {"code", "message"}}`.
func checkHandler(_ method: String, _ path: String, _ body: [UInt8]) {
    let response = call(fixture.api, fixture.token, method, path, body)
    let text = String(decoding: response.body, as: UTF8.self)
    require(response.status < 500, "\(method) \(path) answered \(response.status): \(text)")
    let json = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    require(json != nil, "\(method) \(path) answered with a body that is not JSON: \(text)")
    if response.status >= 400 {
        let error = (json as? [String: Any])?["error"] as? [String: Any]
        require(error?["code"] is String && error?["message"] is String, "an error without the error shape: \(text)")
    }
}
