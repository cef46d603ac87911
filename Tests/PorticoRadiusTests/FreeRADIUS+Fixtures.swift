import Foundation
import PorticoHTTP
import PorticoTestSupport
import Synchronization

/// Portico's side of rlm_rest, faked just enough to prove the FreeRADIUS configuration: it
/// records every call and answers authorize from a table of users, in rlm_rest's JSON format.
final class RestEndpoint: Sendable {
    struct Call: Sendable {
        let path: String
        let authorization: String?
        let section: String?
        let contentType: String?
        let body: String
    }

    let token: String
    let server: HTTPServer
    private let box: CallBox

    /// What authorize answers per User-Name (status, JSON body); others get 404.
    static let users: [String: (Int, String)] = [
        "aa:bb:cc:dd:ee:01": (200, #"{"control:Auth-Type":"Accept","reply:Mikrotik-Rate-Limit":"10M/20M"}"#),
        "aa:bb:cc:dd:ee:02": (
            200,
            #"{"control:Auth-Type":"Accept","reply:Mikrotik-Address-List":"portico-suspended","reply:Framed-Pool":"walled-garden","reply:Filter-Id":{"op":"+=","value":["portico-walled","portico-dns"]}}"#
        ),
        "pppoe-7": (200, #"{"control:Cleartext-Password":"pppoe-password","reply:Mikrotik-Rate-Limit":"5M/5M"}"#),
    ]

    init(token: String) throws {
        self.token = token
        let box = CallBox()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) { request in
            box.handle(request, token: token)
        }
        self.box = box
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }

    /// The calls so far, in order.
    var recorded: [Call] { box.calls.withLock { $0 } }

    func stop() { server.stop() }

    final class CallBox: Sendable {
        let calls = Mutex<[Call]>([])

        func handle(_ request: HTTPRequest, token: String) -> HTTPResponse {
            let body = String(decoding: request.body, as: UTF8.self)
            calls.withLock {
                $0.append(
                    Call(
                        path: request.path, authorization: request.headers["Authorization"],
                        section: request.headers["X-FreeRADIUS-Section"], contentType: request.headers["Content-Type"],
                        body: body))
            }
            guard request.headers["Authorization"] == "Bearer \(token)" else {
                return .json(#"{"reply:Reply-Message":"token refused"}"#, status: 401)
            }
            switch request.path {
            case "/api/v1/radius/authorize":
                let user = RlmRestJSON.values(body)["User-Name"]?.first as? String ?? ""
                guard let (status, json) = RestEndpoint.users[user] else { return HTTPResponse(status: 404) }
                return .json(json, status: status)
            case "/api/v1/radius/accounting":
                return HTTPResponse(status: 204)
            default:
                return HTTPResponse(status: 404)
            }
        }
    }
}

/// rlm_rest's JSON bodies: `{"Attr": {"type": "...", "value": [...]}, ...}`.
enum RlmRestJSON {
    /// Attribute name → its values.
    static func values(_ body: String) -> [String: [Any]] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            return [:]
        }
        var result: [String: [Any]] = [:]
        for (name, entry) in object {
            result[name] = (entry as? [String: Any])?["value"] as? [Any] ?? []
        }
        return result
    }

    /// A string rlm_rest escaped octet by octet, read back as the UTF-8 it was; nil when a
    /// character is above U+00FF or the octets are not UTF-8.
    static func octetText(_ parsed: String) -> String? {
        var octets: [UInt8] = []
        for scalar in parsed.unicodeScalars {
            guard scalar.value <= 0xff else { return nil }
            octets.append(UInt8(scalar.value))
        }
        return String(validating: octets, as: UTF8.self)
    }

    /// The body with every Message-Authenticator's value (random per request) replaced by
    /// zeros, parsed, for comparing with a recorded fixture.
    static func normalized(_ body: String) -> NSDictionary? {
        guard var object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            return nil
        }
        if var ma = object["Message-Authenticator"] as? [String: Any] {
            ma["value"] = ["0x" + String(repeating: "0", count: 32)]
            object["Message-Authenticator"] = ma
        }
        return object as NSDictionary
    }
}

/// The fixtures of what rlm_rest posts, in Tests/radius/rlm_rest/: compared with what the
/// running FreeRADIUS posted, or written anew with PORTICO_RECORD_FIXTURES=1.
enum RlmRestFixtures {
    static let directory = RepositoryPaths.root + "/Tests/radius/rlm_rest"
    static var recording: Bool { ProcessInfo.processInfo.environment["PORTICO_RECORD_FIXTURES"] == "1" }

    /// nil when `body` matches the fixture `name` (or was just recorded); else why not.
    static func check(_ name: String, _ body: String) -> String? {
        let path = directory + "/" + name
        if recording {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? (body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "no fixture \(path)" }
        guard let expected = RlmRestJSON.normalized(text), let actual = RlmRestJSON.normalized(body) else {
            return "not JSON: \(body)"
        }
        return expected.isEqual(actual) ? nil : "\(name) differs:\nrecorded \(text)\nposted   \(body)"
    }
}
