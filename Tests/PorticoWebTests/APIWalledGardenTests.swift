import Foundation
import PorticoCore
import PorticoFirewall
import Testing

@Suite struct APIWalledGardenTests {
    @Test func suspendAndReleaseByHandReachTheFirewallAndTheList() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: plan, from: "2026-03-01", addresses: ["198.51.100.7"])
        #expect(f.call("POST", "/billing/run", "{}").status == 200)

        let empty = f.call("GET", "/walled-garden")
        #expect(empty.status == 200)
        #expect(empty.object["addresses"] as? [String] == [])
        #expect(empty.object["count"] as? Int == 0)
        let emptyTag = try #require(empty.header("ETag"))

        let suspended = f.call("POST", "/services/\(service)/suspend", #"{"reason": "abuse report 42"}"#)
        #expect(suspended.status == 200, "\(suspended.errorMessage)")
        #expect(suspended.object["status"] as? String == "suspended")
        let address = try IPPrefix("198.51.100.7")
        #expect(f.firewall.operations.contains(.suspend([address])))
        #expect(try f.firewall.suspendedPrefixes() == [address])
        #expect(f.context.directory.lookup("198.51.100.7")?.stopped == true)

        let list = f.call("GET", "/walled-garden")
        #expect(list.object["addresses"] as? [String] == ["198.51.100.7"])
        #expect(list.object["count"] as? Int == 1)
        let tag = try #require(list.header("ETag"))
        #expect(tag != emptyTag)
        #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && !tag.hasPrefix("W/"))
        #expect(f.call("GET", "/walled-garden").header("ETag") == tag)

        let notModified = f.call("GET", "/walled-garden", headers: [("If-None-Match", tag)])
        #expect(notModified.status == 304)
        #expect(notModified.response.body.isEmpty)
        #expect(notModified.header("ETag") == tag)
        #expect(f.call("GET", "/walled-garden", headers: [("If-None-Match", "\"other\", W/\(tag)")]).status == 304)
        #expect(f.call("GET", "/walled-garden", headers: [("If-None-Match", emptyTag)]).status == 200)

        // Twice is a conflict, and changes nothing.
        let before = try f.snapshot()
        #expect(f.call("POST", "/services/\(service)/suspend", #"{"reason": "again"}"#).status == 409)
        #expect(try f.snapshot() == before)

        let released = f.call("POST", "/services/\(service)/release", #"{"reason": "resolved"}"#)
        #expect(released.status == 200, "\(released.errorMessage)")
        #expect(released.object["status"] as? String == "active")
        #expect(f.firewall.operations.last == .release([address]))
        #expect(f.context.directory.lookup("198.51.100.7")?.stopped == false)
        let after = f.call("GET", "/walled-garden", headers: [("If-None-Match", tag)])
        #expect(after.status == 200)
        #expect(after.object["count"] as? Int == 0)
        #expect(after.header("ETag") == emptyTag)
        #expect(f.call("POST", "/services/\(service)/release", #"{"reason": "again"}"#).status == 409)
    }

    @Test func aPaymentReleasesWithinTheRequest() throws {
        // SPEC §14 C: due Jun 15, delay 7 → suspended in the run of Jun 23; paid Jun 25 → released.
        let f = try APIFixture(today: "2026-06-01", settings: [("suspension.delayDays", "7")])
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: plan, from: "2026-06-01", addresses: ["203.0.113.0/29"])
        #expect(
            f.call("POST", "/billing/run", #"{"date": "2026-06-22"}"#).object["walledGarden"] as? [String: [String]]
                == ["suspended": [], "released": []])
        let run = f.call("POST", "/billing/run", #"{"date": "2026-06-23"}"#)
        #expect((run.object["walledGarden"] as? [String: [String]])?["suspended"] == ["203.0.113.0/29"])
        #expect(f.call("GET", "/walled-garden").object["addresses"] as? [String] == ["203.0.113.0/29"])

        f.setToday("2026-06-25")
        #expect(f.call("GET", "/services/\(service)").object["status"] as? String == "suspended")
        let pay = f.call("POST", "/payments", #"{"clientId": \#(ana), "amount": 3000, "method": "cash"}"#)
        #expect(pay.status == 201)
        #expect(f.firewall.operations.last == .release([try IPPrefix("203.0.113.0/29")]))
        #expect(f.call("GET", "/walled-garden").object["count"] as? Int == 0)
        #expect(f.call("GET", "/services/\(service)").object["status"] as? String == "active")
    }

    @Test func suspendNeedsAReasonAndAServiceInItsTerm() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let later = try f.createService(client: ana, plan: plan, from: "2026-05-01")
        let before = try f.snapshot()
        let blank = f.call("POST", "/services/\(later)/suspend", #"{"reason": "  "}"#)
        #expect(blank.status == 422)
        #expect(blank.errorMessage.hasPrefix("reason:"))
        let missing = f.call("POST", "/services/\(later)/suspend", "{}")
        #expect(missing.status == 422)
        #expect(missing.errorMessage == "reason: is required")
        #expect(f.call("POST", "/services/\(later)/suspend", #"{"reason": "x"}"#).status == 409)
        #expect(f.call("POST", "/services/999/suspend", #"{"reason": "x"}"#).status == 404)
        #expect(try f.snapshot() == before)
    }
}
