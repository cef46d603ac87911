import Foundation
import PorticoCore
import Testing

@Suite struct APIServicesTests {
    @Test func createServiceShowsStatusTermsAndAddresses() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let r = f.call(
            "POST", "/services",
            #"""
            {"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-03-01", "activeTo": "2026-09-30",
             "addresses": ["198.51.100.7", "2001:db8:7::/48"], "status": "ended", "terms": []}
            """#)
        #expect(r.status == 201, "\(r.errorMessage)")
        let id = try #require(r.object["id"] as? Int)
        #expect(r.header("Location") == "/api/v1/services/\(id)")
        #expect(r.object["clientId"] as? Int == ana)
        #expect(r.object["planId"] as? Int == plan)
        #expect(r.object["price"] as? Int == 3000)
        #expect(r.object["billingPeriodMonths"] as? Int == 1)
        #expect(r.object["invoicingType"] is NSNull)
        #expect(r.object["activeFrom"] as? String == "2026-03-01")
        #expect(r.object["activeTo"] as? String == "2026-09-30")
        #expect(r.object["overrideRole"] as? String == "secondary")
        #expect(r.object["addresses"] as? [String] == ["198.51.100.7", "2001:db8:7::/48"])
        #expect(r.object["status"] as? String == "active")
        let terms = r.object["terms"] as? [[String: Any]] ?? []
        #expect(terms.count == 1)
        #expect(terms.first?["start"] as? String == "2026-03-01")
        #expect(terms.first?["end"] as? String == "2026-09-30")
        // The portal knows the address at once.
        #expect(f.context.directory.lookup("198.51.100.7")?.clientId == Int64(ana))

        let read = f.call("GET", "/services/\(id)")
        #expect(read.status == 200)
        #expect(read.object["activeTo"] as? String == "2026-09-30")
        #expect(f.call("GET", "/clients/\(ana)/services").array.map { $0["id"] as? Int } == [id])
    }

    @Test func statusIsTodays() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let later = try f.createService(client: ana, plan: plan, from: "2026-04-01")
        #expect(f.call("GET", "/services/\(later)").object["status"] as? String == "pending")
        f.setToday("2026-04-01")
        #expect(f.call("GET", "/services/\(later)").object["status"] as? String == "active")
    }

    @Test func patchChangesActiveToPriceAndAddresses() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let id = try f.createService(client: ana, plan: plan, from: "2026-03-01")

        var r = f.call(
            "PATCH", "/services/\(id)", #"{"activeTo": "2026-05-31", "price": 2500, "invoicingType": "backward"}"#)
        #expect(r.status == 200, "\(r.errorMessage)")
        #expect(r.object["activeTo"] as? String == "2026-05-31")
        #expect((r.object["terms"] as? [[String: Any]])?.first?["end"] as? String == "2026-05-31")
        #expect(r.object["price"] as? Int == 2500)
        #expect(r.object["invoicingType"] as? String == "backward")

        r = f.call(
            "PATCH", "/services/\(id)",
            #"{"activeTo": null, "price": null, "invoicingType": null, "addresses": ["198.51.100.8"]}"#)
        #expect(r.status == 200, "\(r.errorMessage)")
        #expect(r.object["activeTo"] is NSNull)
        #expect((r.object["terms"] as? [[String: Any]])?.first?["end"] is NSNull)
        #expect(r.object["price"] as? Int == 3000)
        #expect(r.object["invoicingType"] is NSNull)
        #expect(f.context.directory.lookup("198.51.100.8")?.clientId == Int64(ana))
        #expect(f.context.directory.lookup("198.51.100.7") == nil)

        // What was read can be sent back: derived fields are ignored, fixed ones equal.
        let read = f.call("GET", "/services/\(id)")
        let back = f.call("PATCH", "/services/\(id)", String(decoding: read.response.body, as: UTF8.self))
        #expect(back.status == 200, "\(back.errorMessage)")
        #expect(
            String(decoding: back.response.body, as: UTF8.self) == String(decoding: read.response.body, as: UTF8.self))

        let before = try f.snapshot()
        for (body, field) in [
            (#"{"planId": 999}"#, "planId"), (#"{"activeFrom": "2026-02-01"}"#, "activeFrom"),
            (#"{"clientId": 999}"#, "clientId"), (#"{"billingPeriodMonths": 3}"#, "billingPeriodMonths"),
            (#"{"overrideRole": null}"#, "overrideRole"), (#"{"activeTo": "2026-02-01"}"#, "activeTo"),
            (#"{"price": -1}"#, "price"), (#"{"activeTo": "31/05/2026"}"#, "activeTo"),
        ] {
            let bad = f.call("PATCH", "/services/\(id)", body)
            #expect(bad.status == 422, "\(body)")
            #expect(bad.errorMessage.hasPrefix(field + ":"), "\(body): \(bad.errorMessage)")
        }
        #expect(try f.snapshot() == before)
    }
}
