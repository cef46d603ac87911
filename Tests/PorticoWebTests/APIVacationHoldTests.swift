import Foundation
import PorticoCore
import Testing

@Suite struct APIVacationHoldTests {
    /// SPEC §14 D's set-up: regular 52.70 (secondary), vacation 15.00 (primary), billed through
    /// Jan 29; suspension off (the example is about documents).
    func holdSetup(_ f: APIFixture) throws -> (client: Int, secondary: Int, vacation: Int) {
        let regular = try f.createPlan("Regular", 5270, role: "secondary")
        let vacation = try f.createPlan("Vacation", 1500, role: "primary")
        let ana = try f.createClient()
        let secondary = try f.createService(client: ana, plan: regular, from: "2026-01-01")
        #expect(f.call("POST", "/billing/run", #"{"date": "2026-01-29"}"#).object["documentsIssued"] as? Int == 1)
        return (ana, secondary, vacation)
    }

    /// A document as the test compares it: kind, dates, total and lines.
    static func shape(_ d: [String: Any], primaryId: Int? = nil) -> String {
        let lines = (d["lines"] as? [[String: Any]] ?? []).map { l -> String in
            var service = l["serviceId"] as? Int ?? -1
            if let primaryId, service == primaryId { service = 0 }
            return
                "\(service) \(l["description"] as? String ?? "") \(l["from"] as? String ?? "")…\(l["to"] as? String ?? "") \(l["amount"] as? Int ?? -1)"
        }
        return
            "\(d["kind"] as? String ?? "") \(d["issuedOn"] as? String ?? "") due \(d["dueOn"] as? String ?? "") \(d["total"] as? Int ?? -1) \(lines)"
    }

    /// SPEC §14 D: the preview shows exactly what activation then issues: credit note 340 and
    /// invoice 97, dated Jan 30.
    @Test func exampleD_PreviewIsWhatActivationIssues() throws {
        let f = try APIFixture(today: "2026-01-30", settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let (ana, secondary, vacation) = try holdSetup(f)
        let body = #"{"planId": \#(vacation), "from": "2026-01-30"}"#

        let before = try f.snapshot()
        let preview = f.call("POST", "/services/\(secondary)/vacation-hold/preview", body)
        #expect(preview.status == 200, "\(preview.errorMessage)")
        #expect(try f.snapshot() == before)
        let previewDocs = preview.object["documents"] as? [[String: Any]] ?? []
        #expect(previewDocs.map { $0["kind"] as? String } == ["creditNote", "invoice"])
        #expect(previewDocs.map { $0["total"] as? Int } == [340, 97])
        let creditLine = (previewDocs.first?["lines"] as? [[String: Any]])?.first
        #expect(creditLine?["serviceId"] as? Int == secondary)
        #expect(creditLine?["from"] as? String == "2026-01-30")
        #expect(creditLine?["to"] as? String == "2026-01-31")
        #expect(creditLine?["amount"] as? Int == 340)
        let chargeLine = (previewDocs.last?["lines"] as? [[String: Any]])?.first
        #expect(chargeLine?["serviceId"] as? Int == 0)
        #expect(chargeLine?["amount"] as? Int == 97)
        let previewPrimary = preview.object["primary"] as? [String: Any] ?? [:]
        #expect(previewPrimary["id"] as? Int == 0)
        #expect(previewPrimary["planId"] as? Int == vacation)

        let hold = f.call("POST", "/services/\(secondary)/vacation-hold", body)
        #expect(hold.status == 201, "\(hold.errorMessage)")
        let primary = hold.object["primary"] as? [String: Any] ?? [:]
        let primaryId = try #require(primary["id"] as? Int)
        #expect(primaryId > 0)
        #expect(hold.header("Location") == "/api/v1/services/\(primaryId)")
        #expect(primary["overrideRole"] as? String == "primary")
        #expect(primary["clientId"] as? Int == ana)
        #expect(primary["activeFrom"] as? String == "2026-01-30")
        #expect(primary["activeTo"] as? String == "2026-07-29")
        #expect((primary["terms"] as? [[String: Any]])?.first?["end"] as? String == "2026-07-29")
        #expect(primary["addresses"] as? [String] == ["198.51.100.7"])
        let issued = hold.object["documents"] as? [[String: Any]] ?? []
        #expect(issued.map { Self.shape($0, primaryId: primaryId) } == previewDocs.map { Self.shape($0) })
        #expect(issued.allSatisfy { ($0["id"] as? Int ?? 0) > 0 })

        // The issued documents are the client's, the credit note correcting January's invoice.
        let all = f.call("GET", "/clients/\(ana)/documents").array
        #expect(all.count == 3)
        #expect(all[1]["corrects"] as? Int == all[0]["id"] as? Int)
        #expect(all.dropFirst().map { $0["id"] as? Int } == issued.map { $0["id"] as? Int })
        #expect(f.call("GET", "/services/\(secondary)").object["status"] as? String == "overridden")
        #expect(f.call("GET", "/services/\(primaryId)").object["status"] as? String == "active")
    }

    /// SPEC §14 E through the secondary's id: ending on Apr 10 credits 1050 of the vacation plan
    /// and bills 3689 of the regular.
    @Test func exampleE_EndEarlyThroughTheSecondary() throws {
        let f = try APIFixture(today: "2026-01-30", settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let (ana, secondary, vacation) = try holdSetup(f)
        let hold = f.call("POST", "/services/\(secondary)/vacation-hold", #"{"planId": \#(vacation)}"#)
        #expect(hold.status == 201, "\(hold.errorMessage)")
        let primaryId = try #require((hold.object["primary"] as? [String: Any])?["id"] as? Int)
        #expect(f.call("POST", "/billing/run", #"{"date": "2026-04-09"}"#).status == 200)
        let before = f.call("GET", "/clients/\(ana)/documents").array.count

        f.setToday("2026-04-10")
        let end = f.call("POST", "/services/\(secondary)/vacation-hold/end", "")
        #expect(end.status == 200, "\(end.errorMessage)")
        let docs = end.object["documents"] as? [[String: Any]] ?? []
        #expect(
            docs.map { Self.shape($0) } == [
                "creditNote 2026-04-10 due 2026-04-10 1050 [\"\(primaryId) \(lineDescription(docs, 0)) 2026-04-10…2026-04-30 1050\"]",
                "invoice 2026-04-10 due 2026-04-24 3689 [\"\(secondary) \(lineDescription(docs, 1)) 2026-04-10…2026-04-30 3689\"]",
            ])
        #expect((end.object["primary"] as? [String: Any])?["activeTo"] as? String == "2026-04-09")
        #expect(f.call("GET", "/clients/\(ana)/documents").array.count == before + 2)
        #expect(f.call("GET", "/services/\(secondary)").object["status"] as? String == "active")
        // Nothing is left to end.
        let again = f.call("POST", "/services/\(secondary)/vacation-hold/end", #"{"on": "2026-04-11"}"#)
        #expect(again.status == 409)
    }

    func lineDescription(_ docs: [[String: Any]], _ i: Int) -> String {
        ((docs[i]["lines"] as? [[String: Any]])?.first?["description"] as? String) ?? ""
    }

    @Test func endThroughThePrimaryAndRefusals() throws {
        let f = try APIFixture(today: "2026-01-30", settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let (_, secondary, vacation) = try holdSetup(f)
        let before = try f.snapshot()
        // No hold yet.
        #expect(f.call("POST", "/services/\(secondary)/vacation-hold/end", "{}").status == 409)
        // A plan, not a service, that does not exist; months outside 1–24; a malformed date.
        #expect(f.call("POST", "/services/\(secondary)/vacation-hold", #"{"planId": 999}"#).status == 404)
        #expect(f.call("POST", "/services/999/vacation-hold", #"{"planId": \#(vacation)}"#).status == 404)
        let months = f.call(
            "POST", "/services/\(secondary)/vacation-hold/preview", #"{"planId": \#(vacation), "months": 30}"#)
        #expect(months.status == 422)
        #expect(months.errorMessage.hasPrefix("months:"))
        let from = f.call(
            "POST", "/services/\(secondary)/vacation-hold", #"{"planId": \#(vacation), "from": "2026-13-01"}"#)
        #expect(from.status == 422)
        #expect(from.errorMessage.hasPrefix("from:"))
        // Before the last billing run: documents cannot be issued in the past.
        let backdated = f.call(
            "POST", "/services/\(secondary)/vacation-hold", #"{"planId": \#(vacation), "from": "2026-01-10"}"#)
        #expect(backdated.status == 409)
        #expect(backdated.errorMessage.hasPrefix("from:"))
        #expect(try f.snapshot() == before)

        let hold = f.call("POST", "/services/\(secondary)/vacation-hold", #"{"planId": \#(vacation), "months": 2}"#)
        let primaryId = try #require((hold.object["primary"] as? [String: Any])?["id"] as? Int)
        #expect((hold.object["primary"] as? [String: Any])?["activeTo"] as? String == "2026-03-29")
        // A second hold overlapping the first is refused.
        #expect(f.call("POST", "/services/\(secondary)/vacation-hold", #"{"planId": \#(vacation)}"#).status == 409)
        let end = f.call("POST", "/services/\(primaryId)/vacation-hold/end", #"{"on": "2026-02-15"}"#)
        #expect(end.status == 200, "\(end.errorMessage)")
        #expect((end.object["primary"] as? [String: Any])?["activeTo"] as? String == "2026-02-14")
    }
}
