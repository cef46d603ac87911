import Foundation
import PorticoCore
import PorticoStore
import Testing

/// What an admin does in the UI: plans, clients, services, the vacation-hold review (SPEC §14
/// D and E), settings, the outbox, the dashboard and the walled garden.
@Suite struct AdminUITests {
    /// Plans of example D and a client with a regular service from Jan 1, billed through Jan 29.
    func exampleD(_ f: AdminFixture, _ s: AdminFixture.Session) throws -> (
        client: Int64, regular: Int64, vacation: Int64
    ) {
        #expect(
            s.post("/plans", [("name", "Regular"), ("monthlyPrice", "52.70"), ("overrideRole", "secondary")]).status
                == 303)
        #expect(
            s.post("/plans", [("name", "Vacation"), ("monthlyPrice", "15"), ("overrideRole", "primary")]).status == 303)
        let plans = try f.store.plans()
        #expect(plans.map(\.monthlyPrice) == [5270, 1500])
        #expect(s.post("/clients", [("name", "Hal"), ("email", "hal@example.net")]).status == 303)
        let client = try f.store.clients()[0].id
        #expect(
            s.post(
                "/services",
                [
                    ("clientId", "\(client)"), ("planId", "\(plans[0].id)"), ("activeFrom", "2026-01-01"),
                    ("addresses", "198.51.100.7"),
                ]
            ).status == 303)
        #expect(s.post("/billing/run", [("date", "2026-01-29")]).status == 303)
        let regular = try f.store.services(clientId: client, on: try LocalDate("2026-01-29"))[0].id
        return (client, regular, plans[1].id)
    }

    @Test func holdReviewShowsExampleDAndSubmitIssuesExactlyThat() throws {
        let f = try AdminFixture(today: "2026-01-29")
        let s = try f.session()
        let (client, regular, vacation) = try exampleD(f, s)
        let page = s.get("/clients/\(client)")
        #expect(page.text.contains("Off · Activate"))
        let hold = [("planId", "\(vacation)"), ("from", "2026-01-30"), ("months", "")]
        let review = s.post("/services/\(regular)/hold/review", hold)
        #expect(review.status == 200)
        #expect(texts(review.text, after: "review-total\" data-kind=\"creditNote\"") == ["3.40 USD"])
        #expect(texts(review.text, after: "review-total\" data-kind=\"invoice\"") == ["0.97 USD"])
        #expect(review.text.contains("hold 2026-01-30 … 2026-07-29"))
        #expect(try f.store.documents(clientId: client).count == 1)  // a review writes nothing

        // A stale fingerprint shows the review again instead of issuing.
        let stale = s.post("/services/\(regular)/hold", hold + [("fingerprint", "00")])
        #expect(stale.status == 409 && stale.text.contains("changed since the review"))
        let done = s.post("/services/\(regular)/hold", hold + [("fingerprint", hidden(review.text, "fingerprint")!)])
        #expect(done.status == 303 && done.location == "/clients/\(client)")
        #expect(s.flash(done).contains("issued CN-000001 (3.40 USD), INV-000002 (0.97 USD); 2 email(s) queued"))
        let docs = try f.store.documents(clientId: client)
        #expect(docs.map(\.number) == ["INV-000001", "CN-000001", "INV-000002"])
        #expect(docs.map(\.total) == [5270, 340, 97])
        let mail = try f.store.outboxMessages(clientId: client, limit: 10)
        #expect(Set(mail.prefix(2).map(\.kind)) == ["invoice", "creditNote"])  // the newest two
        #expect(
            mail.contains {
                $0.subject.hasPrefix("Credit note CN-000001") && $0.text.contains("3.40 USD")
                    && $0.html.contains("3.40 USD") && $0.recipient == "hal@example.net" && $0.status == "queued"
            })
        #expect(s.get("/clients/\(client)").text.contains("Active · Deactivate"))
    }

    @Test func deactivateReviewsAndIssuesTheEarlyEndOfExampleE() throws {
        let f = try AdminFixture(today: "2026-01-29")
        let s = try f.session()
        let (client, regular, vacation) = try exampleD(f, s)
        let hold = [("planId", "\(vacation)"), ("from", "2026-01-30")]
        let review = s.post("/services/\(regular)/hold/review", hold)
        _ = s.post("/services/\(regular)/hold", hold + [("fingerprint", hidden(review.text, "fingerprint")!)])
        #expect(s.post("/billing/run", [("date", "2026-04-09")]).status == 303)
        f.api.setToday("2026-04-09")
        let later = try f.session()  // the first session expired meanwhile
        let primary = try f.store.holdPrimary(of: regular, on: try LocalDate("2026-04-09"))!
        let end = later.post("/services/\(primary.id)/hold/end/review", [("on", "2026-04-10")])
        #expect(end.status == 200)
        #expect(texts(end.text, after: "review-total\" data-kind=\"creditNote\"") == ["10.50 USD"])
        #expect(texts(end.text, after: "review-total\" data-kind=\"invoice\"") == ["36.89 USD"])
        let before = try f.store.documents(clientId: client).count
        let done = later.post(
            "/services/\(primary.id)/hold/end",
            [("on", "2026-04-10"), ("fingerprint", hidden(end.text, "fingerprint")!)])
        #expect(later.flash(done).contains("(10.50 USD)") && later.flash(done).contains("(36.89 USD)"))
        #expect(try f.store.documents(clientId: client).count == before + 2)
    }

    @Test func changingAPlansRoleLeavesItsServicesAndSaysSo() throws {
        let f = try AdminFixture(today: "2026-01-29")
        let s = try f.session()
        let (client, regular, _) = try exampleD(f, s)
        let plan = try f.store.plans()[0]
        let r = s.post("/plans/\(plan.id)/role", [("overrideRole", "none")])
        #expect(s.flash(r).contains("1 existing service(s) on it keep their own role"))
        #expect(try f.store.plan(plan.id).overrideRole == OverrideRole.none)
        #expect(try f.store.service(regular, on: try LocalDate("2026-01-29")).service.overrideRole == .secondary)
        let plans = s.get("/plans").text
        #expect(plans.contains("does <strong>not</strong> change existing services"))
        #expect(plans.contains("1 service(s) on this plan have another role."))
        #expect(s.get("/clients/\(client)").status == 200)
    }

    @Test func settingsPageSavesEverySettingAndNamesABadOne() throws {
        let f = try AdminFixture()
        let s = try f.session()
        let page = s.get("/settings").text
        for key in Settings.keys { #expect(page.contains("name=\"\(key)\""), "\(key)") }
        var form: [(String, String)] = [
            ("invoicing.defaultType", "backward"), ("invoicing.createDaysInAdvance", "2"), ("invoicing.dueDays", "10"),
            ("suspension.delayDays", "7"), ("suspension.minimumUnpaidAmount", "5.00"), ("suspension.postponeDays", "4"),
            ("suspension.allowPostpone", "true"), ("reactivation.enabled", "true"),
            ("reactivation.monthChoices", "1, 3, 6"), ("vacationHold.defaultMonths", "3"), ("billing.runAt", "01:30"),
            ("billing.timeZone", "America/Bogota"), ("billing.currency", "EUR"),
        ]
        #expect(s.flash(s.post("/settings", form)).hasPrefix("Saved:"))
        let saved = f.store.settings
        #expect(saved.invoicing.defaultType == .backward && saved.invoicing.dueDays == 10)
        #expect(!saved.invoicing.useCreditAutomatically && !saved.suspension.enabled)  // unchecked boxes
        #expect(saved.suspension.minimumUnpaidAmount == 500 && saved.reactivation.monthChoices == [1, 3, 6])
        #expect(saved.billing.timeZone == "America/Bogota" && saved.billing.currency == "EUR")
        form[1] = ("invoicing.createDaysInAdvance", "900")
        let bad = s.post("/settings", form + [("billing.currency", "EUR")])
        #expect(s.flash(bad).contains("invoicing.createDaysInAdvance: must be 0–366"))
        #expect(f.store.settings == saved)
        form[1] = ("billing.timeZone", "Mars/Olympus")
        #expect(s.flash(s.post("/settings", form)).contains("billing.timeZone"))
    }

    @Test func suspensionReleaseAndDocumentsQueueEmails() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        #expect(
            s.post("/plans", [("name", "Home"), ("monthlyPrice", "30.00"), ("overrideRole", "secondary")]).status == 303
        )
        #expect(s.post("/clients", [("name", "Sam"), ("email", "sam@example.net")]).status == 303)
        #expect(s.post("/clients", [("name", "No Mail")]).status == 303)
        let (sam, noMail) = (try f.store.clients()[0].id, try f.store.clients()[1].id)
        let plan = try f.store.plans()[0].id
        for (client, address) in [(sam, "198.51.100.1"), (noMail, "198.51.100.2")] {
            #expect(
                s.post(
                    "/services",
                    [
                        ("clientId", "\(client)"), ("planId", "\(plan)"), ("activeFrom", "2026-01-01"),
                        ("addresses", address),
                    ]
                ).status == 303)
        }
        #expect(s.post("/billing/run", [("date", "2026-03-01")]).status == 303)
        #expect(s.get("/walled-garden").text.contains("<td>198.51.100.1</td>"))
        let paid = s.post("/payments", [("clientId", "\(sam)"), ("amount", "90.00"), ("method", "cash")])
        #expect(s.flash(paid).contains("Released 1 address(es)."))
        let kinds = try f.store.outboxMessages(clientId: sam, limit: 20).map(\.kind)
        #expect(kinds.filter { $0 == "invoice" }.count == 3)
        #expect(kinds.contains("suspension") && kinds.contains("release"))
        #expect(try f.store.outboxMessages(clientId: noMail, limit: 20).isEmpty)
        let suspension = try f.store.outboxMessages(clientId: sam, limit: 20).first { $0.kind == "suspension" }!
        #expect(
            suspension.text.contains("Your service is suspended from") && suspension.text.contains("(198.51.100.1)"))
        let outbox = s.get("/outbox").text
        #expect(outbox.contains("is back online") && outbox.contains("sam@example.net"))
        let dashboard = s.get("/").text
        #expect(texts(dashboard, after: "id=\"fig-suspended\"") == ["1"])
        #expect(texts(dashboard, after: "id=\"fig-releases\"") == ["1"])
        #expect(texts(dashboard, after: "id=\"fig-overdue\"") == ["60.00 USD"])  // the client without email
        let garden = s.get("/walled-garden").text
        #expect(texts(garden, after: "id=\"sync\"") == ["in sync"])
        #expect(texts(garden, after: "id=\"db-count\"") == ["1"])
        #expect(garden.contains("<td>198.51.100.2</td>") && !garden.contains("<td>198.51.100.1</td>"))
    }
}
