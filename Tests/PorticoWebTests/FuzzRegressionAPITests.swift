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
}
