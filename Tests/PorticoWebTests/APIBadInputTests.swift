import Foundation
import PorticoAPI
import Testing

/// SPEC §13: every bad input the API can receive gets a clear 4xx naming the field, and
/// changes nothing.
@Suite struct APIBadInputTests {
    /// A client with one service on 198.51.100.7, billed once, and a vacation plan.
    func setup(_ f: APIFixture) throws -> (plan: Int, vacation: Int, client: Int, service: Int) {
        let plan = try f.createPlan("Home 30", 3000)
        let vacation = try f.createPlan("Vacation", 1500, role: "primary")
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: plan, from: "2026-03-01")
        #expect(f.call("POST", "/billing/run", #"{"date": "2026-03-01"}"#).status == 200)
        return (plan, vacation, ana, service)
    }

    struct Case: CustomStringConvertible {
        var method: String
        var path: String
        var body: String
        var status: Int
        /// The message starts with `field:`; empty for a 400 about the whole body.
        var field: String
        var description: String { "\(method) \(path) \(body)" }
    }

    func expectRefused(_ f: APIFixture, _ cases: [Case]) throws {
        let before = try f.snapshot()
        for c in cases {
            let r = f.call(c.method, c.path, c.body)
            #expect(r.status == c.status, "\(c): \(r.status) \(r.errorMessage)")
            #expect(r.header("Content-Type") == "application/json", "\(c)")
            #expect(!r.errorMessage.isEmpty && r.errorCode != nil, "\(c)")
            if !c.field.isEmpty { #expect(r.errorMessage.hasPrefix(c.field + ":"), "\(c): \(r.errorMessage)") }
        }
        #expect(try f.snapshot() == before)
    }

    @Test func malformedBodiesAre400() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (_, _, ana, _) = try setup(f)
        try expectRefused(
            f,
            [
                Case(method: "POST", path: "/plans", body: #"{"name": "#, status: 400, field: ""),
                Case(method: "POST", path: "/plans", body: "name=Basic&monthlyPrice=3000", status: 400, field: ""),
                Case(method: "POST", path: "/clients", body: #"["Ana"]"#, status: 400, field: ""),
                Case(method: "POST", path: "/payments", body: #""pay""#, status: 400, field: ""),
                Case(method: "POST", path: "/payments", body: "9000", status: 400, field: ""),
                Case(method: "POST", path: "/payments", body: "null", status: 400, field: ""),
                Case(method: "POST", path: "/billing/run", body: #"{"date": "2026-03-02"} x"#, status: 400, field: ""),
                Case(method: "PATCH", path: "/settings", body: "\u{FF}\u{FE}", status: 400, field: ""),
                Case(
                    method: "POST", path: "/payments", body: #"{"clientId": \#(ana), "amount": 10, "method": "cash",}"#,
                    status: 400, field: ""),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": 1, "billingPeriods": [1,]}"#,
                    status: 400, field: ""),
                Case(
                    method: "POST", path: "/payments",
                    body: #"{"clientId": \#(ana), "amount": 10, "method": "cash", "amount": -5}"#,
                    status: 400, field: ""),
                Case(
                    method: "PATCH", path: "/settings",
                    body: #"{"suspension": {"bogus": 1}, "suspension": {"delayDays": 5}}"#, status: 400, field: ""),
                Case(
                    method: "POST", path: "/clients", body: #"{"name": "Ana", "n\u0061me": "Bea"}"#, status: 400,
                    field: ""),
                Case(method: "POST", path: "/clients", body: #"{"name": "Ana" /* c */}"#, status: 400, field: ""),
                Case(method: "POST", path: "/clients", body: #"{"name": 'Ana'}"#, status: 400, field: ""),
                Case(
                    method: "POST", path: "/clients",
                    body: String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
                    status: 400, field: ""),
            ])
        #expect(
            f.call("POST", "/payments", #"{"clientId": \#(ana), "amount": 10, "method": "cash", "amount": -5}"#)
                .errorMessage.contains("'amount' appears twice"))
    }

    @Test func validJSONOfEveryShapeIsRead() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call(
            "POST", "/clients",
            "\r\n {\"name\" : \"Jos\\u00e9 \\ud83d\\ude00 \\\"J\\\" \\/\", \"email\":\"\",\n\"useCreditAutomatically\" : null } \n"
        )
        #expect(r.status == 201, "\(r.errorMessage)")
        #expect(r.object["name"] as? String == "José 😀 \"J\" /")
        let plan = f.call(
            "POST", "/plans", #"{"name": "E", "monthlyPrice": 3e3, "billingPeriods": [1, 2], "periodPrices": {}}"#)
        #expect(plan.status == 201, "\(plan.errorMessage)")
        #expect(plan.object["monthlyPrice"] as? Int == 3000)
    }

    @Test func wrongTypesMissingAndUnknownFieldsAre422NamingTheField() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (plan, _, ana, service) = try setup(f)
        try expectRefused(
            f,
            [
                Case(
                    method: "POST", path: "/plans", body: #"{"name": 5, "monthlyPrice": 1}"#, status: 422, field: "name"
                ),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": "30.00"}"#, status: 422,
                    field: "monthlyPrice"),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": 30.5}"#, status: 422,
                    field: "monthlyPrice"),
                Case(method: "POST", path: "/plans", body: #"{"name": "x"}"#, status: 422, field: "monthlyPrice"),
                Case(
                    method: "POST", path: "/plans",
                    body: #"{"name": "x", "monthlyPrice": 1, "billingPeriods": [1, "3"]}"#,
                    status: 422, field: "billingPeriods[1]"),
                Case(
                    method: "POST", path: "/plans",
                    body: #"{"name": "x", "monthlyPrice": 1, "periodPrices": {"x": 5}}"#,
                    status: 422, field: "periodPrices.x"),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": 1, "billingPeriods": [30]}"#,
                    status: 422, field: "billingPeriods"),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": -1}"#, status: 422,
                    field: "monthlyPrice"),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "Home 30", "monthlyPrice": 1}"#, status: 422,
                    field: "name"),
                Case(
                    method: "POST", path: "/plans", body: #"{"name": "x", "monthlyPrice": 1, "price": 2}"#, status: 422,
                    field: "price"),
                Case(
                    method: "POST", path: "/clients", body: #"{"name": "Bea", "useCreditAutomatically": "yes"}"#,
                    status: 422, field: "useCreditAutomatically"),
                Case(
                    method: "POST", path: "/clients", body: #"{"name": "Bea", "email": "not-an-email"}"#, status: 422,
                    field: "email"),
                Case(method: "POST", path: "/clients", body: #"{"name": null}"#, status: 422, field: "name"),
                Case(method: "POST", path: "/clients", body: "", status: 422, field: "name"),
                Case(
                    method: "POST", path: "/services",
                    body: #"{"clientId": "\#(ana)", "planId": \#(plan), "activeFrom": "2026-03-01"}"#, status: 422,
                    field: "clientId"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": "198.51.100.9"}"#,
                    status: 422, field: "addresses"),
                Case(
                    method: "POST", path: "/services",
                    body: #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": [1]}"#,
                    status: 422, field: "addresses[0]"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": ["300.1.1.1"]}"#,
                    status: 422, field: "addresses[0]"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "overrideRole": "boss"}"#,
                    status: 422, field: "overrideRole"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "invoicingType": "later"}"#,
                    status: 422, field: "invoicingType"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "activeTo": "2026-03-31"}"#,
                    status: 422, field: "activeTo"),
                Case(
                    method: "POST", path: "/services", body: #"{"clientId": \#(ana), "planId": \#(plan)}"#, status: 422,
                    field: "activeFrom"),
                Case(
                    method: "POST", path: "/payments", body: #"{"clientId": \#(ana), "amount": 10}"#, status: 422,
                    field: "method"),
                Case(
                    method: "POST", path: "/payments", body: #"{"clientId": \#(ana), "amount": 10, "method": " "}"#,
                    status: 422, field: "method"),
                Case(
                    method: "POST", path: "/payments",
                    body: #"{"clientId": \#(ana), "amount": 10, "method": "cash", "fee": 1}"#,
                    status: 422, field: "fee"),
                Case(method: "POST", path: "/billing/run", body: #"{"date": 20260302}"#, status: 422, field: "date"),
                Case(
                    method: "POST", path: "/billing/run", body: #"{"through": "2026-03-02"}"#, status: 422,
                    field: "through"),
                Case(
                    method: "POST", path: "/services/\(service)/suspend", body: #"{"reason": 42}"#, status: 422,
                    field: "reason"),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold", body: #"{"planId": "x"}"#, status: 422,
                    field: "planId"),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold", body: "{}", status: 422, field: "planId"
                ),
            ])
    }

    @Test func amountsThatAreNotPositiveAre422() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (_, _, ana, _) = try setup(f)
        try expectRefused(
            f,
            [0, -5, -9000].map {
                Case(
                    method: "POST", path: "/payments",
                    body: #"{"clientId": \#(ana), "amount": \#($0), "method": "cash"}"#,
                    status: 422, field: "amount")
            })
    }

    @Test func malformedDatesAre422NamingTheField() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (plan, vacation, ana, service) = try setup(f)
        let dates = ["2026-3-1", "2026-02-30", "yesterday", "2026/03/02", "", "2026-03-01T00:00:00Z"]
        var cases: [Case] = []
        for d in dates {
            cases += [
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "\#(d)", "addresses": ["192.0.2.1"]}"#,
                    status: 422, field: "activeFrom"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "activeTo": "\#(d)"}"#,
                    status: 422, field: "activeTo"),
                Case(
                    method: "PATCH", path: "/services/\(service)", body: #"{"activeTo": "\#(d)"}"#, status: 422,
                    field: "activeTo"),
                Case(
                    method: "POST", path: "/payments",
                    body: #"{"clientId": \#(ana), "amount": 10, "method": "cash", "receivedOn": "\#(d)"}"#, status: 422,
                    field: "receivedOn"),
                Case(method: "POST", path: "/billing/run", body: #"{"date": "\#(d)"}"#, status: 422, field: "date"),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold/preview",
                    body: #"{"planId": \#(vacation), "from": "\#(d)"}"#, status: 422, field: "from"),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold",
                    body: #"{"planId": \#(vacation), "from": "\#(d)"}"#, status: 422, field: "from"),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold/end", body: #"{"on": "\#(d)"}"#,
                    status: 422, field: "on"),
            ]
        }
        try expectRefused(f, cases)
    }

    @Test func unknownIdsAre404() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (plan, vacation, ana, service) = try setup(f)
        try expectRefused(
            f,
            [
                Case(method: "GET", path: "/plans/999", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/plans/abc", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/clients/999", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/clients/0", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/clients/999/documents", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/clients/999/services", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/services/999", body: "", status: 404, field: ""),
                Case(method: "GET", path: "/services/-1", body: "", status: 404, field: ""),
                Case(method: "PATCH", path: "/services/999", body: #"{"activeTo": null}"#, status: 404, field: ""),
                Case(
                    method: "POST", path: "/services",
                    body: #"{"clientId": \#(ana), "planId": 999, "activeFrom": "2026-04-01"}"#, status: 404, field: ""),
                Case(
                    method: "POST", path: "/services",
                    body: #"{"clientId": 999, "planId": \#(plan), "activeFrom": "2026-04-01"}"#, status: 404, field: ""),
                Case(
                    method: "POST", path: "/payments", body: #"{"clientId": 999, "amount": 10, "method": "cash"}"#,
                    status: 404, field: ""),
                Case(
                    method: "POST", path: "/services/999/vacation-hold/preview", body: #"{"planId": \#(vacation)}"#,
                    status: 404, field: ""),
                Case(
                    method: "POST", path: "/services/\(service)/vacation-hold/preview", body: #"{"planId": 999}"#,
                    status: 404, field: ""),
                Case(method: "POST", path: "/services/999/vacation-hold/end", body: "{}", status: 404, field: ""),
                Case(method: "POST", path: "/services/999/suspend", body: #"{"reason": "x"}"#, status: 404, field: ""),
                Case(method: "POST", path: "/services/999/release", body: #"{"reason": "x"}"#, status: 404, field: ""),
            ])
    }

    @Test func aPeriodThePlanDoesNotAllowIs422() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (plan, _, ana, _) = try setup(f)
        try expectRefused(
            f,
            [
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "billingPeriodMonths": 3, "addresses": ["192.0.2.1"]}"#,
                    status: 422, field: "billingPeriodMonths")
            ])
    }

    @Test func overlappingAddressesAre409() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let (plan, _, ana, _) = try setup(f)
        let bea = try f.createClient("Bea")
        let other = try f.createService(client: bea, plan: plan, from: "2026-03-01", addresses: ["192.0.2.1"])
        try expectRefused(
            f,
            [
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(bea), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": ["198.51.100.0/24"]}"#,
                    status: 409, field: "addresses"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": ["198.51.100.7"]}"#,
                    status: 409, field: "addresses"),
                Case(
                    method: "PATCH", path: "/services/\(other)", body: #"{"addresses": ["192.0.2.1", "198.51.100.7"]}"#,
                    status: 409, field: "addresses"),
                Case(
                    method: "POST", path: "/services",
                    body:
                        #"{"clientId": \#(bea), "planId": \#(plan), "activeFrom": "2026-04-01", "addresses": ["192.0.2.8/29", "192.0.2.9"]}"#,
                    status: 422, field: "addresses[1]"),
            ])
    }

    @Test func everyRouteIsServedAndNeedsAToken() throws {
        let f = try APIFixture()
        defer { f.remove() }
        for (method, template) in AdminAPI.endpoints {
            let path = template.replacingOccurrences(of: "{id}", with: "999")
            let served = f.call(method, path, method == "GET" ? nil : "{}")
            #expect(served.status != 405 && !served.errorMessage.hasPrefix("no endpoint"), "\(method) \(path)")
            if template != "/openapi.json" {
                #expect(f.call(method, path, "{}", auth: .none).status == 401, "\(method) \(path)")
            }
        }
    }
}
