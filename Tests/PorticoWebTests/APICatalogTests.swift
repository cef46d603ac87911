import Foundation
import Testing

@Suite struct APICatalogTests {
    @Test func createAndReadPlans() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call(
            "POST", "/plans",
            #"""
            {"name": "Home 30", "monthlyPrice": 3000, "billingPeriods": [1, 3], "periodPrices": {"3": 8500},
             "overrideRole": "secondary", "id": 77}
            """#)
        #expect(r.status == 201, "\(r.errorMessage)")
        let id = try #require(r.object["id"] as? Int)
        #expect(id != 77)
        #expect(r.header("Location") == "/api/v1/plans/\(id)")
        #expect(r.object["name"] as? String == "Home 30")
        #expect(r.object["monthlyPrice"] as? Int == 3000)
        #expect(r.object["billingPeriods"] as? [Int] == [1, 3])
        #expect(r.object["periodPrices"] as? [String: Int] == ["3": 8500])
        #expect(r.object["overrideRole"] as? String == "secondary")

        let vacation = f.call(
            "POST", "/plans", #"{"name": "Vacation", "monthlyPrice": 1500, "overrideRole": "primary"}"#)
        #expect(vacation.object["billingPeriods"] as? [Int] == [1])
        #expect(vacation.object["periodPrices"] as? [String: Int] == [:])

        let one = f.call("GET", "/plans/\(id)")
        #expect(one.status == 200)
        #expect(one.object["periodPrices"] as? [String: Int] == ["3": 8500])
        let all = f.call("GET", "/plans")
        #expect(all.array.map { $0["name"] as? String } == ["Home 30", "Vacation"])
    }

    @Test func createAndReadClientsWithCreditAndBalance() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call("POST", "/clients", #"{"name": "Ana", "email": "ana@example.net", "credit": 99999}"#)
        #expect(r.status == 201, "\(r.errorMessage)")
        let id = try #require(r.object["id"] as? Int)
        #expect(r.header("Location") == "/api/v1/clients/\(id)")
        #expect(r.object["name"] as? String == "Ana")
        #expect(r.object["email"] as? String == "ana@example.net")
        #expect(r.object["useCreditAutomatically"] is NSNull)
        #expect(r.object["credit"] as? Int == 0)
        #expect(r.object["balanceDue"] as? Int == 0)

        let bea = f.call("POST", "/clients", #"{"name": "Bea", "useCreditAutomatically": false}"#)
        #expect(bea.object["useCreditAutomatically"] as? Bool == false)
        #expect(bea.object["email"] as? String == "")

        #expect(f.call("GET", "/clients/\(id)").object["name"] as? String == "Ana")
        #expect(f.call("GET", "/clients").array.count == 2)
        #expect(f.call("GET", "/clients/\(id)/services").array.isEmpty)
        #expect(f.call("GET", "/clients/\(id)/documents").array.isEmpty)
    }
}
