import Foundation
import PorticoApp
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoPortal
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport
import Testing

/// Live tests of the portal on loopback: clients are real TCP connections from 127.0.0.x.
@Suite(.serialized) struct PortalTests {
    static let sam = "127.0.0.51"  // suspended: March and April unpaid
    static let ana = "127.0.0.52"  // active, paid
    static let eve = "127.0.0.53"  // ended 2026-09-30 (SPEC §14 F)

    func fixture() throws -> PortalFixture {
        try PortalFixture(today: "2027-05-15", settings: [("reactivation.enabled", "true")]) { store in
            let plan = try store.createPlan(Plan(name: "Home 30", monthlyPrice: 3000))
            func add(_ name: String, _ address: String, from: String, to: String? = nil) throws -> Int64 {
                let c = try store.createClient(ClientRecord(name: name))
                _ = try store.createService(
                    NewService(
                        clientId: c.id, planId: plan.id, activeFrom: d(from),
                        activeTo: to.map(d), addresses: [address]), on: d(from))
                return c.id
            }
            _ = try add("Sam", Self.sam, from: "2027-03-01")
            let ana = try add("Ana", Self.ana, from: "2027-05-01")
            let eve = try add("Eve", Self.eve, from: "2026-06-01", to: "2026-09-30")
            _ = try store.recordPayment(clientId: ana, amount: 3000, receivedOn: d("2027-05-01"), method: "cash")
            _ = try store.recordPayment(clientId: eve, amount: 12000, receivedOn: d("2026-06-01"), method: "cash")
        }
    }

    static let probes = [
        ("connectivitycheck.gstatic.com", "/generate_204"), ("www.gstatic.com", "/generate_204"),
        ("clients3.google.com", "/generate_204"), ("captive.apple.com", "/hotspot-detect.html"),
        ("www.apple.com", "/library/test/success.html"), ("www.msftconnecttest.com", "/connecttest.txt"),
        ("www.msftncsi.com", "/ncsi.txt"), ("detectportal.firefox.com", "/success.txt"),
        ("edge.microsoft.com", "/captiveportal/generate_204"),
        ("connectivitycheck.cbg-app.huawei.com", "/generate_204"),
        ("connect.rom.miui.com", "/generate_204"), ("example.com", "/any/page?q=1"),
    ]

    @Test func stoppedClientsAreRedirectedFromEveryHostAndProbe() throws {
        let f = try fixture()
        for source in [Self.sam, Self.eve] {
            let connection = try f.connect(source)
            for (host, path) in Self.probes {
                let r = try connection.request("GET", path, host: host)
                #expect(r.status == 302, "\(host)\(path)")
                #expect(r.header("Location") == "http://portal.test/")
                #expect(r.header("Cache-Control") == "no-store")
            }
        }
        let active = try f.get(Self.ana, "/generate_204", host: "connectivitycheck.gstatic.com")
        #expect(active.status == 200)
        #expect(active.text.contains("Your service is active"))
        let unknown = try f.get("127.0.0.99", "/", host: "example.com")
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("127.0.0.99"))
        #expect(try f.get("127.0.0.99", "/").status == 404)
    }

    /// The server answers stopped clients' foreign-host requests on its fast path (raw Host
    /// header, peer address, no `HTTPRequest`); every answer must be the one the portal's
    /// handler gives for the same request, on a connection that stays usable.
    @Test func fastPathAnswersWhatTheHandlerWould() throws {
        let f = try fixture()
        let portal = Portal(context: f.server.context, options: PortalOptions(extraHosts: ["127.0.0.1"]))
        let hosts = [
            "example.com", "EXAMPLE.com:8080", "Portal.Test", "portal.test:80", "127.0.0.1", "[2001:db8::1]:80",
            "[::1]", "bücher.example", "",
        ]
        var fast = 0
        for source in [Self.sam, Self.eve, Self.ana, "127.0.0.99"] {
            let connection = try f.connect(source)
            for host in hosts {
                for (method, body) in [("GET", ""), ("POST", "a=1&b=2"), ("PUT", "")] {
                    let live = try connection.request(method, "/x?y=1", body: Array(body.utf8), host: host)
                    let direct = portal.handle(
                        HTTPRequest(
                            method: method, path: "/x", rawQuery: "y=1", headers: HTTPHeaders([("Host", host)]),
                            body: Array(body.utf8), remoteAddress: source))
                    #expect(live.status == direct.status, "\(source) \(method) Host: \(host)")
                    #expect(live.header("Location") == direct.header("Location"), "\(source) \(method) Host: \(host)")
                    if direct.isPrepared { fast += 1 }
                }
            }
        }
        #expect(fast > 0)
    }

    @Test func pageListsOverdueInvoicesAndChoices() throws {
        let f = try fixture()
        let page = try f.get(Self.sam, "/")
        #expect(page.status == 200)
        #expect(page.header("Cache-Control") == "no-store")
        #expect(page.text.contains("suspended because invoices are overdue"))
        let samId = try f.store.clients().first { $0.name == "Sam" }!.id
        let numbers = try f.store.documents(clientId: samId).map(\.number)
        #expect(numbers.count == 3)
        #expect(page.text.contains(numbers[0]) && page.text.contains(numbers[1]))
        #expect(!page.text.contains(numbers[2]))  // May's invoice is not due yet
        #expect(page.text.contains("id=\"overdue-total\">60.00 USD"))
        #expect(page.text.contains("help@isp.test"))
        let ended = try f.get(Self.eve, "/").text
        #expect(ended.contains("ended on 2026-09-30"))
        #expect(ended.contains("3 months · 90.00 USD"))
        #expect(try f.get(Self.ana, "/").text.contains("Your service is active"))
    }

    @Test func captiveAPIFollowsRFC8908() throws {
        let f = try fixture()
        let r = try f.get(Self.sam, "/api/captive")
        #expect(r.header("Content-Type") == "application/captive+json")
        #expect(r.header("Cache-Control") == "private")
        let json = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        #expect(json["captive"] as? Bool == true)
        #expect(json["user-portal-url"] as? String == "http://portal.test/")
        let active =
            try JSONSerialization.jsonObject(with: Data(f.get(Self.ana, "/api/captive").body)) as! [String: Any]
        #expect(active["captive"] as? Bool == false)
    }

    @Test func suspendedClientPaysAndIsReleasedAtOnce() throws {
        let f = try fixture()
        let address = try IPPrefix(Self.sam)
        #expect(
            f.firewall.operations.contains { if case .rebuild(let s, _) = $0 { s.contains(address) } else { false } })
        let start = try f.post(Self.sam, "/pay", ["csrf": try f.csrf(Self.sam)])
        #expect(start.status == 303)
        #expect(start.header("Location")!.hasPrefix("/test-gateway/checkout/chk_"))
        #expect(try f.get(Self.sam, start.header("Location")!).text.contains("TEST MODE"))
        let (id, paid) = try f.payAtTestGateway(Self.sam, redirect: start)
        #expect(paid.status == 303)
        #expect(paid.header("Location") == "/checkout/\(id)")
        #expect(f.firewall.operations.last == .release([address]))
        #expect(try f.get(Self.sam, "/checkout/\(id)").text.contains("You are back online"))
        let samId = try f.store.clients().first { $0.name == "Sam" }!.id
        #expect(try f.store.payments(clientId: samId).map(\.amount) == [6000])
        #expect(try f.get(Self.sam, "/", host: "example.com").status == 200)
        let captive =
            try JSONSerialization.jsonObject(with: Data(f.get(Self.sam, "/api/captive").body)) as! [String: Any]
        #expect(captive["captive"] as? Bool == false)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    /// SPEC §14 F through the portal: the ended client reactivates for 3 months.
    @Test func endedClientReactivatesExampleF() throws {
        let f = try fixture()
        let eveId = try f.store.clients().first { $0.name == "Eve" }!.id
        let before = try f.store.documents(clientId: eveId)
        #expect(before.map(\.issuedOn.description) == ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"])
        let start = try f.post(Self.eve, "/reactivate", ["csrf": try f.csrf(Self.eve), "months": "3"])
        #expect(start.status == 303)
        let (id, _) = try f.payAtTestGateway(Self.eve, redirect: start)
        #expect(try f.get(Self.eve, "/checkout/\(id)").text.contains("You are back online"))
        let docs = try f.store.documents(clientId: eveId)
        #expect(docs.count == 5)
        let invoice = docs.last!
        #expect(invoice.issuedOn == d("2027-05-15") && invoice.total == 9000 && invoice.status == .paid)
        #expect(invoice.lines.map { "\($0.range.start)…\($0.range.lastDay)" } == ["2027-05-15…2027-08-14"])
        let service = try f.store.services(clientId: eveId, on: d("2027-05-15")).first!
        #expect(service.service.activeTo == d("2027-08-14"))
        #expect(service.status == .active)
        #expect(f.firewall.operations.last == .release([try IPPrefix(Self.eve)]))
        let report = try f.store.runBilling(through: d("2027-08-15"))
        #expect(try f.store.documents(clientId: eveId).count == 5)
        #expect(report.delta.suspend.contains(try IPPrefix(Self.eve)))
        #expect(try f.store.services(clientId: eveId, on: d("2027-08-15")).first!.status == .ended)
    }

    @Test func declinedPaymentChangesNothing() throws {
        let f = try fixture()
        let start = try f.post(Self.sam, "/pay", ["csrf": try f.csrf(Self.sam)])
        let operations = f.firewall.operations.count
        let (id, _) = try f.payAtTestGateway(Self.sam, redirect: start, outcome: "declined")
        #expect(try f.get(Self.sam, "/checkout/\(id)").text.contains("declined"))
        #expect(try f.store.payments().count == 2)
        #expect(f.firewall.operations.count == operations)
        #expect(try f.get(Self.sam, "/", host: "example.com").status == 302)
    }

    @Test func replayingTheConfirmationRecordsOnePayment() throws {
        let f = try fixture()
        let start = try f.post(Self.sam, "/pay", ["csrf": try f.csrf(Self.sam)])
        let location = start.header("Location")!
        let page = try f.get(Self.sam, location).text
        var form = ["outcome": "paid"]
        for name in ["amount", "currency", "signature"] { form[name] = hidden(page, name) }
        let connection = try f.connect(Self.sam)
        let body = form.map { "\($0.key)=\(URLText.encode($0.value))" }.joined(separator: "&")
        for _ in 0..<100 {
            let r = try connection.request(
                "POST", location, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(body.utf8))
            #expect(r.status == 303)
        }
        #expect(try f.store.payments().count == 3)
        #expect(f.firewall.operations.filter { if case .release = $0 { true } else { false } }.count == 1)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    /// SPEC §13 at the portal: a clear 4xx and nothing changed.
    @Test func badInputIsRefusedAndChangesNothing() throws {
        let f = try fixture()
        func unchanged() throws {
            #expect(try f.store.payments().count == 2)
            #expect(try f.get(Self.sam, "/", host: "example.com").status == 302)
        }
        let csrf = try f.csrf(Self.sam)
        #expect(try f.post(Self.sam, "/pay", ["csrf": "0123456789abcdef0123456789abcdef"]).status == 403)
        #expect(try f.post(Self.sam, "/pay", [:]).status == 403)
        #expect(try f.post(Self.ana, "/pay", ["csrf": csrf]).status == 403)  // another client's token
        #expect(try f.post(Self.eve, "/reactivate", ["csrf": try f.csrf(Self.eve), "months": "7"]).status == 422)
        #expect(try f.post(Self.eve, "/reactivate", ["csrf": try f.csrf(Self.eve), "months": "abc"]).status == 400)
        #expect(try f.post(Self.sam, "/prepay", ["csrf": csrf, "months": "0"]).status == 422)
        #expect(try f.post("127.0.0.99", "/pay", ["csrf": csrf]).status == 404)
        #expect(try f.get(Self.sam, "/checkout/chk_nonexistent").status == 404)
        let big = try f.connect(Self.sam).request(
            "POST", "/pay", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: [UInt8](repeating: UInt8(ascii: "a"), count: 200_000))
        #expect(big.status == 413)
        let malformed = try f.connect(Self.sam).request(
            "POST", "/pay", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("csrf=%zz".utf8))
        #expect(malformed.status == 400)
        // A forged confirmation: right checkout, tampered amount or no signature.
        let start = try f.post(Self.sam, "/pay", ["csrf": csrf])
        let location = start.header("Location")!
        let page = try f.get(Self.sam, location).text
        var form = ["outcome": "paid", "currency": "USD", "signature": hidden(page, "signature")!, "amount": "1"]
        #expect(try f.post(Self.sam, location, form).status == 400)
        form["signature"] = nil
        form["amount"] = hidden(page, "amount")
        #expect(try f.post(Self.sam, location, form).status == 400)
        try unchanged()
    }
}
