import Foundation
import PorticoCore
import PorticoStore
import Testing

/// The admin UI's forms take the API's limits on dates (`DateLimits`): an effective date at most
/// 366 days after today, a new service's start at most ten years before it. A refused form comes
/// back (422) with the message naming the field and what was typed, and nothing is recorded.
@Suite struct AdminDateLimitTests {
    /// Everything a refused form could have changed.
    struct State: Equatable {
        var api: APIStateSnapshot
        var audit: Int
        var outbox: Int
    }

    func state(_ f: AdminFixture) throws -> State {
        State(
            api: try f.api.snapshot(), audit: try f.store.auditLog(limit: 1000).count,
            outbox: try f.store.outboxMessages(limit: 1000).count)
    }

    /// Posts `form` and expects it refused: a 422 showing `page` again with `message` and the
    /// form; when the form on that page is the one posted, with `typed` back in its field.
    func expectRefused(
        _ s: AdminFixture.Session, _ path: String, _ form: [(String, String)], back page: String,
        formId: String, message: String, typed: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let r = s.post(path, form + [("back", page)])
        #expect(
            r.status == 422 && r.location == nil, "\(path): \(r.status) \(r.location ?? "")",
            sourceLocation: sourceLocation)
        #expect(s.flash(r) == message, "\(path)", sourceLocation: sourceLocation)
        #expect(
            r.text.contains("class=\"flash error\" id=\"flash\"") && r.text.contains(formId),
            "\(path): the form with the error", sourceLocation: sourceLocation)
        if let typed {
            #expect(
                r.text.contains("value=\"\(typed)\""), "\(path): the typed value kept", sourceLocation: sourceLocation)
        }
    }

    @Test func effectiveDatesMoreThan366DaysAheadAreRefusedAndRecordNothing() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        #expect(
            s.post("/plans", [("name", "Regular"), ("monthlyPrice", "30"), ("overrideRole", "secondary")]).status == 303
        )
        #expect(
            s.post("/plans", [("name", "Vacation"), ("monthlyPrice", "15"), ("overrideRole", "primary")]).status == 303)
        let (regularPlan, vacation) = (try f.store.plans()[0].id, try f.store.plans()[1].id)
        #expect(s.post("/clients", [("name", "Ana"), ("email", "ana@example.net")]).status == 303)
        let client = try f.store.clients()[0].id
        #expect(
            s.post(
                "/services",
                [
                    ("clientId", "\(client)"), ("planId", "\(regularPlan)"),
                    ("activeFrom", "2026-03-01"), ("addresses", "198.51.100.7"),
                ]
            ).status == 303)
        let regular = try f.store.services(clientId: client, on: try LocalDate("2026-03-01"))[0].id
        #expect(s.post("/billing/run", [("date", "2026-03-01")]).status == 303)

        let clientPage = "/clients/\(client)"
        let tooFar = "2027-03-03"  // 367 days after 2026-03-01
        let latest = "(2027-03-02)"
        func limit(_ field: String) -> String { "\(field): must be at most 366 days after today \(latest)" }

        var before = try state(f)
        expectRefused(
            s, "/payments",
            [
                ("clientId", "\(client)"), ("amount", "30.00"), ("method", "cash"),
                ("receivedOn", tooFar),
            ],
            back: clientPage, formId: "id=\"new-payment\"", message: limit("receivedOn"), typed: tooFar)
        expectRefused(
            s, "/billing/run", [("date", tooFar)], back: "/", formId: "id=\"billing-run\"",
            message: limit("date"), typed: tooFar)
        expectRefused(
            s, "/services/\(regular)/hold/review", [("planId", "\(vacation)"), ("from", tooFar)],
            back: clientPage, formId: "class=\"inline hold-on\"", message: limit("from"), typed: tooFar)
        expectRefused(
            s, "/services/\(regular)/hold",
            [
                ("planId", "\(vacation)"), ("from", tooFar),
                ("fingerprint", "00"),
            ],
            back: clientPage, formId: "class=\"inline hold-on\"", message: limit("from"))
        #expect(try state(f) == before)

        // A hold from today, so there is one to end.
        let hold = [("planId", "\(vacation)"), ("from", "2026-03-01")]
        let review = s.post("/services/\(regular)/hold/review", hold)
        #expect(review.status == 200)
        let fingerprint = try #require(hidden(review.text, "fingerprint"))
        let done = s.post("/services/\(regular)/hold", hold + [("fingerprint", fingerprint)])
        #expect(done.status == 303 && done.location == clientPage)
        let primary = try #require(try f.store.holdPrimary(of: regular, on: try LocalDate("2026-03-01")))
        before = try state(f)
        expectRefused(
            s, "/services/\(primary.id)/hold/end/review", [("on", tooFar)],
            back: clientPage, formId: "class=\"inline hold-off\"", message: limit("on"), typed: tooFar)
        expectRefused(
            s, "/services/\(primary.id)/hold/end", [("on", tooFar), ("fingerprint", "00")],
            back: clientPage, formId: "class=\"inline hold-off\"", message: limit("on"))
        #expect(try state(f) == before)

        // 366 days ahead is still an action.
        let paid = s.post(
            "/payments",
            [
                ("clientId", "\(client)"), ("amount", "30.00"), ("method", "cash"),
                ("receivedOn", "2027-03-02"), ("back", clientPage),
            ])
        #expect(s.flash(paid).hasPrefix("Payment of 30.00 USD recorded"))
        #expect(try f.store.payments().map(\.receivedOn) == [try LocalDate("2027-03-02")])
    }

    @Test func aServiceStartingMoreThanTenYearsBackIsRefusedAndCreatesNothing() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        #expect(
            s.post("/plans", [("name", "Home"), ("monthlyPrice", "30"), ("overrideRole", "secondary")]).status == 303)
        #expect(s.post("/clients", [("name", "Ana")]).status == 303)
        let (plan, client) = (try f.store.plans()[0].id, try f.store.clients()[0].id)
        let today = try LocalDate("2026-03-01")
        let earliest = today.adding(days: -3653)
        let service = [("clientId", "\(client)"), ("planId", "\(plan)"), ("addresses", "198.51.100.9")]
        let before = try state(f)
        expectRefused(
            s, "/services", service + [("activeFrom", earliest.adding(days: -1).description)],
            back: "/clients/\(client)", formId: "id=\"new-service\"",
            message: "activeFrom: must be at most 3653 days (ten years) before today (\(earliest))",
            typed: earliest.adding(days: -1).description)
        #expect(try state(f) == before)
        let created = s.post("/services", service + [("activeFrom", earliest.description)])
        #expect(created.status == 303 && s.flash(created).contains("created"))
        #expect(try f.store.services(clientId: client, on: today).map(\.service.activeFrom) == [earliest])
    }
}
