import Foundation
import PorticoAPI
import Testing

@Suite struct APIOpenAPITests {
    func document() throws -> [String: Any] {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call("GET", "/openapi.json", auth: .none)
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/json")
        return try #require(r.json as? [String: Any])
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    @Test func isOpenAPI31WithBearerSecurity() throws {
        let doc = try document()
        #expect(doc["openapi"] as? String == "3.1.0")
        #expect((doc["info"] as? [String: Any])?["title"] as? String != nil)
        #expect((doc["servers"] as? [[String: Any]])?.first?["url"] as? String == "/api/v1")
        let components = doc["components"] as? [String: Any] ?? [:]
        let bearer = (components["securitySchemes"] as? [String: Any])?["bearerAuth"] as? [String: Any]
        #expect(bearer?["type"] as? String == "http")
        #expect(bearer?["scheme"] as? String == "bearer")
        #expect((doc["security"] as? [[String: Any]])?.first?["bearerAuth"] != nil)
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        for name in [
            "Plan", "Client", "Service", "Term", "Document", "DocumentLine", "DocumentDraft", "Payment", "Settings",
            "Error", "BillingRunRequest", "BillingRunReport", "VacationHoldRequest", "VacationHoldEndRequest",
            "VacationHold", "VacationHoldPreview", "ReasonRequest", "WalledGarden", "ServicePatch",
        ] {
            #expect(schemas[name] != nil, "schema \(name)")
        }
    }

    /// The document describes exactly the routes the API serves.
    @Test func listsEveryRouteTheRouterServes() throws {
        let doc = try document()
        let paths = doc["paths"] as? [String: Any] ?? [:]
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where Self.methods.contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(AdminAPI.endpoints.map { "\($0.method) \($0.path)" })
        #expect(served.count == AdminAPI.endpoints.count)
        #expect(documented == served)
        // SPEC §12's list is all there.
        for required in [
            "GET /settings", "PATCH /settings", "POST /plans", "GET /plans", "POST /clients",
            "GET /clients/{id}", "POST /services", "GET /services/{id}", "PATCH /services/{id}",
            "GET /clients/{id}/documents", "POST /payments", "POST /billing/run",
            "POST /services/{id}/vacation-hold/preview", "POST /services/{id}/vacation-hold",
            "POST /services/{id}/vacation-hold/end", "POST /services/{id}/suspend",
            "POST /services/{id}/release", "GET /walled-garden", "GET /openapi.json",
        ] {
            #expect(served.contains(required), "\(required)")
        }
    }

    /// Every operation says what it returns, every authenticated one its 401, every one with a
    /// body its 400 and 422, and every `$ref` resolves.
    @Test func operationsDescribeTheirErrorsAndEveryReferenceResolves() throws {
        let doc = try document()
        let paths = doc["paths"] as? [String: Any] ?? [:]
        for (path, item) in paths {
            let item = item as? [String: Any] ?? [:]
            if path.contains("{id}") {
                #expect((item["parameters"] as? [[String: Any]])?.first?["name"] as? String == "id", "\(path)")
            }
            for (method, op) in item where Self.methods.contains(method) {
                let op = op as? [String: Any] ?? [:]
                let name = "\(method) \(path)"
                #expect(op["operationId"] is String, "\(name)")
                let responses = op["responses"] as? [String: Any] ?? [:]
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(name)")
                let isPublic = (op["security"] as? [Any])?.isEmpty == true
                #expect(isPublic == (path == "/openapi.json"), "\(name)")
                if !isPublic { #expect(responses["401"] != nil, "\(name)") }
                if op["requestBody"] != nil {
                    #expect(responses["400"] != nil && responses["422"] != nil, "\(name)")
                }
                if path.contains("{id}") { #expect(responses["404"] != nil, "\(name)") }
            }
        }
        var refs: [String] = []
        func collect(_ v: Any) {
            if let d = v as? [String: Any] {
                if let r = d["$ref"] as? String { refs.append(r) }
                d.values.forEach(collect)
            } else if let a = v as? [Any] {
                a.forEach(collect)
            }
        }
        collect(doc)
        #expect(refs.count > 40)
        for ref in Set(refs) {
            #expect(ref.hasPrefix("#/"), "\(ref)")
            var node: Any? = doc
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node is [String: Any], "\(ref) does not resolve")
        }
    }

    /// The schemas name the fields the responses carry (a drift check on the main resources).
    @Test func schemasMatchTheJSONTheAPIReturns() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let doc = try document()
        let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        func properties(_ name: String) -> Set<String> {
            Set(((schemas[name] as? [String: Any])?["properties"] as? [String: Any] ?? [:]).keys)
        }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: plan, from: "2026-03-01")
        _ = f.call("POST", "/billing/run", "{}")
        let payment = f.call("POST", "/payments", #"{"clientId": \#(ana), "amount": 100, "method": "cash"}"#)
        let document = try #require(f.call("GET", "/clients/\(ana)/documents").array.first)
        #expect(Set(f.call("GET", "/plans/\(plan)").object.keys) == properties("Plan"))
        #expect(Set(f.call("GET", "/clients/\(ana)").object.keys) == properties("Client"))
        #expect(Set(f.call("GET", "/services/\(service)").object.keys) == properties("Service"))
        #expect(Set(document.keys) == properties("Document"))
        #expect(
            Set((document["lines"] as? [[String: Any]])?.first?.keys.map { $0 } ?? []) == properties("DocumentLine"))
        #expect(Set(payment.object.keys) == properties("Payment"))
        #expect(Set(f.call("GET", "/settings").object.keys) == properties("Settings"))
        #expect(Set(f.call("POST", "/billing/run", "{}").object.keys) == properties("BillingRunReport"))
        #expect(Set(f.call("GET", "/walled-garden").object.keys) == properties("WalledGarden"))
        #expect(Set(f.call("PATCH", "/settings", "{}").object.keys) == properties("Settings"))
    }
}
