import Testing

/// Inputs the API contract run (schemathesis, `make contract`) and the fuzz targets (`fuzz/`)
/// found, kept as tests.
@Suite struct FuzzRegressionAPITests {
    /// `POST /billing/run {"date": "9426-07-12"}` ran every day until then, one transaction each:
    /// the request held the server for hours and billed the future for good. Now a 422 naming the
    /// field, and nothing is run.
    @Test func aBillingRunFarAheadIsRefusedAndRunsNothing() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        _ = try f.createService(client: ana, plan: plan, from: "2026-03-01")
        let before = try f.snapshot()
        for date in ["9426-07-12", "2027-03-03"] {
            let r = f.call("POST", "/billing/run", #"{"date": "\#(date)"}"#)
            #expect(r.status == 422)
            #expect(r.errorCode == "invalid")
            #expect(r.errorMessage.hasPrefix("date: must be at most 366 days after today"), "\(r.errorMessage)")
        }
        #expect(try f.snapshot() == before)
        #expect(try f.store.lastRunDate() == nil)

        // A year ahead is still a run (tests and tools replay histories ahead of the clock).
        let ahead = f.call("POST", "/billing/run", #"{"date": "2027-03-02"}"#)
        #expect(ahead.status == 200)
        #expect(try f.store.lastRunDate() == APIFixture.date("2027-03-02"))
        #expect(ahead.object["documentsIssued"] as? Int == 13)
    }

    /// A vacation-hold preview `from` `5766-10-28` on a service anchored years back billed every
    /// cycle until then inside the request: the API stopped answering (schemathesis). Every
    /// effective date now has the billing run's bound, and a refusal changes nothing.
    @Test func effectiveDatesFarAheadAre422NamingTheField() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let regular = try f.createPlan("Regular", 3000)
        let vacation = try f.createPlan("Vacation", 1500, role: "primary")
        let ana = try f.createClient()
        let service = try f.createService(client: ana, plan: regular, from: "2017-01-01")
        #expect(f.call("POST", "/billing/run", "{}").status == 200)
        let before = try f.snapshot()
        let cases: [(path: String, body: String, field: String)] = [
            ("/services/\(service)/vacation-hold/preview", #"{"planId": \#(vacation), "from": "5766-10-28"}"#, "from"),
            ("/services/\(service)/vacation-hold", #"{"planId": \#(vacation), "from": "2027-03-03"}"#, "from"),
            ("/services/\(service)/vacation-hold/end", #"{"on": "9999-12-31"}"#, "on"),
            (
                "/payments", #"{"clientId": \#(ana), "amount": 100, "method": "cash", "receivedOn": "3000-01-01"}"#,
                "receivedOn"
            ),
        ]
        for c in cases {
            let r = f.call("POST", c.path, c.body)
            #expect(r.status == 422, "\(c.path): \(r.status) \(r.errorMessage)")
            #expect(r.errorMessage.hasPrefix("\(c.field): must be at most 366 days after today"), "\(r.errorMessage)")
        }
        #expect(try f.snapshot() == before)
        // A year ahead is still an action.
        let preview = f.call(
            "POST", "/services/\(service)/vacation-hold/preview", #"{"planId": \#(vacation), "from": "2027-03-02"}"#)
        #expect(preview.status == 200, "\(preview.errorMessage)")
    }

    /// `POST /services/{id}/vacation-hold/preview` shows the primary it would create, and that
    /// primary's lines, with service id 0, which the document's `Service` (id ≥ 1) refused:
    /// schemathesis' `response_schema_conformance` failed. The preview now has its own schemas.
    @Test func thePreviewsServiceIdZeroIsWhatTheDocumentAllows() throws {
        let f = try APIFixture(today: "2026-01-30", settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let regular = try f.createPlan("Regular", 5270, role: "secondary")
        let vacation = try f.createPlan("Vacation", 1500, role: "primary")
        let secondary = try f.createService(client: try f.createClient(), plan: regular, from: "2026-01-01")
        #expect(f.call("POST", "/billing/run", #"{"date": "2026-01-29"}"#).status == 200)
        let preview = f.call(
            "POST", "/services/\(secondary)/vacation-hold/preview", #"{"planId": \#(vacation), "from": "2026-01-30"}"#)
        #expect(preview.status == 200, "\(preview.errorMessage)")
        let primaryId = try #require((preview.object["primary"] as? [String: Any])?["id"] as? Int)
        let lineIds = (preview.object["documents"] as? [[String: Any]] ?? [])
            .flatMap { $0["lines"] as? [[String: Any]] ?? [] }.compactMap { $0["serviceId"] as? Int }
        #expect(primaryId == 0)
        #expect(lineIds.contains(0) && lineIds.contains(secondary))

        let document = f.call("GET", "/openapi.json", auth: .none).object
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        /// The schema a `$ref` names, or the schema itself.
        func resolve(_ schema: Any?) -> [String: Any] {
            let s = schema as? [String: Any] ?? [:]
            guard let ref = s["$ref"] as? String else { return s }
            return schemas[String(ref.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
        }
        func property(_ schema: [String: Any], _ name: String) -> [String: Any] {
            resolve((schema["properties"] as? [String: Any])?[name])
        }
        let previewSchema = resolve(schemas["VacationHoldPreview"])
        let primary = property(previewSchema, "primary")
        #expect(property(primary, "id")["minimum"] as? Int == 0)
        let draft = resolve(property(previewSchema, "documents")["items"])
        let line = resolve(property(draft, "lines")["items"])
        #expect(property(line, "serviceId")["minimum"] as? Int == 0)
        // Stored resources keep ids from 1.
        #expect(property(resolve(schemas["Service"]), "id")["minimum"] as? Int == 1)
        #expect(property(resolve(schemas["DocumentLine"]), "serviceId")["minimum"] as? Int == 1)
    }

    /// A service from `0008-01-01` made every action on its client recompute two thousand years of
    /// cycles: a suspend took 19 s and the API stopped answering (schemathesis). A new service may
    /// start at most ten years back; a refusal creates nothing.
    @Test func aServiceStartingCenturiesAgoIsRefused() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let plan = try f.createPlan("Home 30", 3000)
        let ana = try f.createClient()
        let before = try f.snapshot()
        for from in ["0008-01-01", "2016-02-28"] {
            let r = f.call("POST", "/services", #"{"clientId": \#(ana), "planId": \#(plan), "activeFrom": "\#(from)"}"#)
            #expect(r.status == 422)
            #expect(
                r.errorMessage.hasPrefix("activeFrom: must be at most 3653 days (ten years) before today"),
                "\(r.errorMessage)")
        }
        #expect(try f.snapshot() == before)
        _ = try f.createService(client: ana, plan: plan, from: "2016-03-01", addresses: ["198.51.100.9"])
    }

    /// schemathesis generated bodies the document allowed and the API refused (unknown keys, blank
    /// names), so most of its examples never reached the handlers. The document now says both:
    /// objects are closed and the fields the store wants non-blank have a pattern.
    @Test func theDocumentSaysObjectsAreClosedAndNamesNonBlank() throws {
        let f = try APIFixture(today: "2026-03-01")
        defer { f.remove() }
        let document = f.call("GET", "/openapi.json", auth: .none).object
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        func schema(_ name: String) -> [String: Any] { schemas[name] as? [String: Any] ?? [:] }
        func property(_ name: String, _ key: String) -> [String: Any] {
            (schema(name)["properties"] as? [String: Any])?[key] as? [String: Any] ?? [:]
        }
        for name in ["Plan", "Client", "Service", "ServicePatch", "Payment", "Settings", "ReasonRequest"] {
            #expect(schema(name)["additionalProperties"] as? Bool == false, "\(name)")
        }
        for (name, key) in [("Plan", "name"), ("Client", "name"), ("Payment", "method"), ("ReasonRequest", "reason")] {
            #expect(property(name, key)["pattern"] as? String == "[^ ]", "\(name).\(key)")
        }
        // What the pattern admits, the API takes; what it refuses, the API refuses too.
        #expect(f.call("POST", "/clients", #"{"name": "\tA"}"#).status == 201)
        #expect(f.call("POST", "/clients", #"{"name": "   "}"#).status == 422)
    }
}
