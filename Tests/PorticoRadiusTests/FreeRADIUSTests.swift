import Foundation
import PorticoTestSupport
import Testing

/// A real FreeRADIUS on loopback with deploy/freeradius's configuration: radclient's requests go
/// through it and rlm_rest to an HTTP endpoint of the test's, which answers in rlm_rest's format.
@Suite struct FreeRADIUSTests {
    let secret = "nas-shared-secret"
    let token = "portico-token-0123456789"

    /// A MikroTik-like Access-Request (MAC authentication: User-Name and password are the MAC).
    static func accessRequest(user: String, password: String? = nil) -> [String] {
        [
            "User-Name = \"\(user)\"", "User-Password = \"\(password ?? user)\"", "NAS-IP-Address = 127.0.0.1",
            "NAS-Identifier = \"mt-core-1\"", "NAS-Port = 15728640", "NAS-Port-Type = Ethernet",
            "Service-Type = Framed-User", "Calling-Station-Id = \"AA:BB:CC:DD:EE:01\"",
            "Called-Station-Id = \"dhcp-lan\"", "Framed-IP-Address = 10.20.0.7", "Message-Authenticator = 0x00",
        ]
    }

    @Test func authorizeAnswersWhatPorticoSaysAndAWrongSecretGetsNothing() throws {
        let rest = try RestEndpoint(token: token)
        defer { rest.stop() }
        let radius = try FreeRADIUSServer(restURL: rest.url, token: token, clients: [.init(secret: secret)])

        let active = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:01"), port: radius.authPort, secret: secret)
        #expect(active.code == "Access-Accept", "\(active.output)\n\(radius.log.suffix(2000))")
        #expect(active.values("Mikrotik-Rate-Limit") == ["10M/20M"])

        let suspended = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:02"), port: radius.authPort, secret: secret)
        #expect(suspended.code == "Access-Accept")
        #expect(suspended.values("Mikrotik-Address-List") == ["portico-suspended"])
        #expect(suspended.values("Framed-Pool") == ["walled-garden"])
        #expect(suspended.values("Filter-Id") == ["portico-walled", "portico-dns"])
        #expect(suspended.values("Mikrotik-Rate-Limit").isEmpty)

        let unknown = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:99"), port: radius.authPort, secret: secret)
        #expect(unknown.code == "Access-Reject")

        // A password Portico hands over (control:Cleartext-Password) is checked by FreeRADIUS's pap.
        let pppoe = try Radclient.send(
            "auth", Self.accessRequest(user: "pppoe-7", password: "pppoe-password"), port: radius.authPort,
            secret: secret)
        #expect(pppoe.code == "Access-Accept")
        #expect(pppoe.values("Mikrotik-Rate-Limit") == ["5M/5M"])
        let badPassword = try Radclient.send(
            "auth", Self.accessRequest(user: "pppoe-7", password: "guess"), port: radius.authPort, secret: secret)
        #expect(badPassword.code == "Access-Reject")

        let callsBefore = rest.recorded.count
        let wrongSecret = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:01"), port: radius.authPort, secret: "not-the-secret",
            timeout: 1)
        #expect(wrongSecret.code == nil, "\(wrongSecret.output)")
        #expect(wrongSecret.status != 0)
        #expect(rest.recorded.count == callsBefore, "a request with a wrong secret never reaches Portico")

        let calls = rest.recorded
        #expect(calls.count == 5)
        #expect(calls.allSatisfy { $0.authorization == "Bearer \(token)" && $0.section == "authorize" })
        #expect(calls.allSatisfy { $0.path == "/api/v1/radius/authorize" && $0.contentType == "application/json" })
        if let first = calls.first {
            #expect(RlmRestFixtures.check("authorize.json", first.body) == nil)
        }
    }

    @Test func accountingStartInterimAndStopArePostedAsJSON() throws {
        let rest = try RestEndpoint(token: token)
        defer { rest.stop() }
        let radius = try FreeRADIUSServer(restURL: rest.url, token: token, clients: [.init(secret: secret)])
        let session = [
            "User-Name = \"aa:bb:cc:dd:ee:01\"", "Acct-Session-Id = \"81200007\"", "NAS-IP-Address = 127.0.0.1",
            "NAS-Identifier = \"mt-core-1\"", "NAS-Port-Type = Ethernet", "Framed-IP-Address = 10.20.0.7",
            "Calling-Station-Id = \"AA:BB:CC:DD:EE:01\"", "Acct-Authentic = RADIUS",
        ]
        let steps: [(String, [String])] = [
            ("accounting-start.json", ["Acct-Status-Type = Start", "Event-Timestamp = 1772366400"]),
            (
                "accounting-interim-update.json",
                [
                    "Acct-Status-Type = Interim-Update", "Event-Timestamp = 1772366700", "Acct-Session-Time = 300",
                    "Acct-Input-Octets = 1048576", "Acct-Output-Octets = 52428800", "Acct-Input-Packets = 900",
                    "Acct-Output-Packets = 36000", "Acct-Input-Gigawords = 0", "Acct-Output-Gigawords = 1",
                ]
            ),
            (
                "accounting-stop.json",
                [
                    "Acct-Status-Type = Stop", "Event-Timestamp = 1772370000", "Acct-Session-Time = 3600",
                    "Acct-Input-Octets = 4194304", "Acct-Output-Octets = 209715200",
                    "Acct-Terminate-Cause = Lost-Carrier",
                ]
            ),
        ]
        for (fixture, lines) in steps {
            let reply = try Radclient.send("acct", session + lines, port: radius.acctPort, secret: secret)
            #expect(reply.code == "Accounting-Response", "\(reply.output)\n\(radius.log.suffix(2000))")
            let call = try #require(rest.recorded.last)
            #expect(call.path == "/api/v1/radius/accounting")
            #expect(call.section == "accounting")
            #expect(call.authorization == "Bearer \(token)")
            #expect(RlmRestFixtures.check(fixture, call.body) == nil)
        }
        let stop = RlmRestJSON.values(rest.recorded.last?.body ?? "")
        #expect(stop["Acct-Status-Type"]?.first as? String == "Stop")
        #expect(stop["Acct-Session-Time"]?.first as? Int == 3600)
        #expect(stop["Event-Timestamp"]?.first as? String == "Mar  1 2026 13:00:00 UTC")
        #expect(stop["Framed-IP-Address"]?.first as? String == "10.20.0.7")
    }

    @Test func textIsEscapedAsJSON() throws {
        let rest = try RestEndpoint(token: token)
        defer { rest.stop() }
        let radius = try FreeRADIUSServer(restURL: rest.url, token: token, clients: [.init(secret: secret)])
        let reply = try Radclient.send(
            "auth", ["User-Name = \"o\\\"brien\\\\ü\"", "User-Password = \"x\"", "Message-Authenticator = 0x00"],
            port: radius.authPort, secret: secret)
        #expect(reply.code == "Access-Reject")
        let body = try #require(rest.recorded.first?.body)
        // rlm_rest escapes each octet above 0x7f on its own (\u00C3\u00BC for the UTF-8 of ü): a
        // JSON parser gives one character per octet, which read as octets are the UTF-8 again.
        let parsed = try #require(RlmRestJSON.values(body)["User-Name"]?.first as? String)
        #expect(parsed == "o\"brien\\\u{C3}\u{BC}")
        #expect(RlmRestJSON.octetText(parsed) == "o\"brien\\ü")
        #expect(RlmRestFixtures.check("authorize-escaping.json", body) == nil)
    }

    @Test func whenPorticoIsDownOrRefusesTheTokenUsersAreRejectedAndAccountingIsNotAnswered() throws {
        let rest = try RestEndpoint(token: "another-token")
        let radius = try FreeRADIUSServer(restURL: rest.url, token: token, clients: [.init(secret: secret)])
        let refused = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:01"), port: radius.authPort, secret: secret)
        #expect(refused.code == "Access-Reject")
        #expect(refused.values("Reply-Message") == ["token refused"])
        rest.stop()
        let down = try Radclient.send(
            "auth", Self.accessRequest(user: "aa:bb:cc:dd:ee:01"), port: radius.authPort, secret: secret)
        #expect(down.code == "Access-Reject")
        let accounting = try Radclient.send(
            "acct", ["Acct-Status-Type = Start", "Acct-Session-Id = \"1\"", "User-Name = \"u\""], port: radius.acctPort,
            secret: secret, timeout: 1)
        #expect(accounting.code == nil, "no Accounting-Response: the NAS keeps the record and sends it again")
    }
}
