import Foundation
import PorticoCore
import Testing

@Suite struct APIBillingTests {
    /// SPEC §14 A through the API: invoice 3000 on Mar 1, payment 9000 → paid, credit 6000;
    /// Apr 1 paid from credit.
    @Test func exampleA_PrepayThroughTheAPI() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: plan, from: "2026-03-01")

        let run = f.call("POST", "/billing/run", #"{"date": "2026-03-01"}"#)
        #expect(run.status == 200, "\(run.errorMessage)")
        #expect(run.object["dates"] as? [String] == ["2026-03-01"])
        #expect(run.object["documentsIssued"] as? Int == 1)

        let docs = f.call("GET", "/clients/\(ana)/documents").array
        #expect(docs.count == 1)
        let invoice = try #require(docs.first)
        let invoiceId = try #require(invoice["id"] as? Int)
        #expect(invoice["kind"] as? String == "invoice")
        #expect(invoice["clientId"] as? Int == ana)
        #expect(invoice["issuedOn"] as? String == "2026-03-01")
        #expect(invoice["dueOn"] as? String == "2026-03-15")
        #expect(invoice["total"] as? Int == 3000)
        #expect(invoice["amountPaid"] as? Int == 0)
        #expect(invoice["status"] as? String == "unpaid")
        #expect(invoice["corrects"] is NSNull)
        #expect((invoice["number"] as? String)?.isEmpty == false)
        let lines = invoice["lines"] as? [[String: Any]] ?? []
        #expect(lines.count == 1)
        #expect(lines.first?["serviceId"] as? Int == service)
        #expect(lines.first?["from"] as? String == "2026-03-01")
        #expect(lines.first?["to"] as? String == "2026-03-31")
        #expect(lines.first?["amount"] as? Int == 3000)
        #expect((lines.first?["description"] as? String)?.isEmpty == false)
        #expect(f.call("GET", "/clients/\(ana)").object["balanceDue"] as? Int == 3000)

        f.setToday("2026-03-03")
        let pay = f.call(
            "POST", "/payments",
            #"{"clientId": \#(ana), "amount": 9000, "receivedOn": "2026-03-03", "method": "cash", "reference": "R-1"}"#)
        #expect(pay.status == 201, "\(pay.errorMessage)")
        #expect(pay.object["clientId"] as? Int == ana)
        #expect(pay.object["amount"] as? Int == 9000)
        #expect(pay.object["receivedOn"] as? String == "2026-03-03")
        #expect(pay.object["method"] as? String == "cash")
        #expect(pay.object["reference"] as? String == "R-1")
        let applied = pay.object["applied"] as? [[String: Any]] ?? []
        #expect(applied.count == 1)
        #expect(applied.first?["documentId"] as? Int == invoiceId)
        #expect(applied.first?["amount"] as? Int == 3000)
        #expect(pay.object["creditAdded"] as? Int == 6000)

        let client = f.call("GET", "/clients/\(ana)").object
        #expect(client["credit"] as? Int == 6000)
        #expect(client["balanceDue"] as? Int == 0)
        #expect(f.call("GET", "/clients/\(ana)/documents").array.first?["status"] as? String == "paid")

        f.setToday("2026-04-01")
        let april = f.call("POST", "/billing/run", "")
        #expect(
            april.object["dates"] as? [String] == (2...31).map { "2026-03-\(String(format: "%02d", $0))" } + [
                "2026-04-01"
            ])
        let after = f.call("GET", "/clients/\(ana)/documents").array
        #expect(after.count == 2)
        #expect(after.last?["total"] as? Int == 3000)
        #expect(after.last?["status"] as? String == "paid")
        #expect(f.call("GET", "/clients/\(ana)").object["credit"] as? Int == 3000)
    }

    @Test func paymentDefaultsToTodayAndARunTwiceIssuesNothing() throws {
        let f = try APIFixture(today: "2026-03-05")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        _ = try f.createService(client: ana, plan: plan, from: "2026-03-01")
        #expect(f.call("POST", "/billing/run", "{}").object["documentsIssued"] as? Int == 1)
        let again = f.call("POST", "/billing/run", "{}")
        #expect(again.object["dates"] as? [String] == [])
        #expect(again.object["documentsIssued"] as? Int == 0)
        let pay = f.call("POST", "/payments", #"{"clientId": \#(ana), "amount": 1000, "method": "transfer"}"#)
        #expect(pay.object["receivedOn"] as? String == "2026-03-05")
        #expect(pay.object["reference"] as? String == "")
        #expect(pay.object["creditAdded"] as? Int == 0)
        #expect(f.call("GET", "/clients/\(ana)").object["balanceDue"] as? Int == 2000)
        #expect(f.call("GET", "/clients/\(ana)/documents").array.first?["status"] as? String == "partial")
    }
}
