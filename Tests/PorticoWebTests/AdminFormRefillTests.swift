import Foundation
import PorticoCore
import PorticoStore
import Testing

@testable import PorticoAdmin

/// A refused admin form comes back as its page again (422) with the message and every field as
/// the admin typed it, so one mistyped field costs one correction, not the whole form.
@Suite struct AdminFormRefillTests {
    /// The value of the first tag that has `name="name"`, `nil` when it has none.
    func value(_ html: String, _ name: String) -> String? {
        guard let at = html.range(of: "name=\"\(name)\"") else { return nil }
        let tagStart = html[..<at.lowerBound].lastIndex(of: "<")!
        let tag = html[tagStart...].prefix { $0 != ">" }
        guard let v = tag.range(of: " value=\"") else { return nil }
        return String(tag[v.upperBound...].prefix { $0 != "\"" })
    }

    /// The option marked `selected` in `<select name="name">`.
    func selected(_ html: String, _ name: String) -> String? {
        guard let at = html.range(of: "<select name=\"\(name)\"") else { return nil }
        let select = html[at.upperBound...]
        let end = select.range(of: "</select>")!.lowerBound
        let options = select[..<end].components(separatedBy: "<option ").dropFirst()
        return options.first { $0.contains(" selected") }.map {
            String($0.dropFirst("value=\"".count).prefix { $0 != "\"" })
        }
    }

    @Test func aNewServiceWithABadAddressComesBackAsTyped() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        #expect(
            s.post("/plans", [("name", "Home"), ("monthlyPrice", "30"), ("overrideRole", "secondary")]).status == 303)
        #expect(
            s.post(
                "/plans",
                [
                    ("name", "Fibre"), ("monthlyPrice", "50"), ("overrideRole", "secondary"),
                    ("billingPeriods", "1, 3"),
                ]
            ).status == 303)
        #expect(s.post("/clients", [("name", "Ana")]).status == 303)
        let client = try f.store.clients()[0].id
        let fibre = try f.store.plans()[1].id
        let before = try f.api.snapshot()
        let typed = "198.51.100.7\n198.51.100.300 <b>"
        let r = s.post(
            "/services",
            [
                ("clientId", "\(client)"), ("back", "/clients/\(client)"), ("planId", "\(fibre)"),
                ("billingPeriodMonths", "3"), ("price", "45.50"), ("invoicingType", "backward"),
                ("activeFrom", "2026-03-05"), ("activeTo", "2026-12-31"), ("overrideRole", "none"),
                ("addresses", typed),
            ])
        #expect(r.status == 422 && r.location == nil)
        #expect(s.flash(r).contains("198.51.100.300"))
        #expect(try f.api.snapshot() == before)
        let page = r.text
        #expect(page.contains("id=\"new-service\""))
        #expect(value(page, "billingPeriodMonths") == "3" && value(page, "price") == "45.50")
        #expect(value(page, "activeFrom") == "2026-03-05" && value(page, "activeTo") == "2026-12-31")
        #expect(selected(page, "planId") == "\(fibre)" && selected(page, "invoicingType") == "backward")
        #expect(selected(page, "overrideRole") == "none")
        #expect(
            page.contains(
                "<textarea name=\"addresses\" id=\"service-addresses\">198.51.100.7\n198.51.100.300 &lt;b&gt;</textarea>"
            ))
        // Hidden fields are the page's own: the session's CSRF token, the client.
        #expect(hidden(page, "csrf") == s.csrf && hidden(page, "clientId") == "\(client)")
        // The payment form on the same page was not the one posted: untouched.
        #expect(value(page, "amount") == nil && value(page, "method") == "cash")
        // Fixed and sent again, it is created.
        let fixed = s.post(
            "/services",
            [
                ("clientId", "\(client)"), ("back", "/clients/\(client)"), ("planId", "\(fibre)"),
                ("billingPeriodMonths", "3"), ("activeFrom", "2026-03-05"), ("addresses", "198.51.100.7"),
            ])
        #expect(fixed.status == 303 && s.flash(fixed).contains("created"))
    }

    /// A form without `back` comes back on the page it belongs to: the settings form on
    /// /settings, with an unticked box still unticked and the bad number as typed.
    @Test func refusedSettingsKeepTheirBoxesAndNumbers() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        let saved = f.store.settings
        #expect(saved.suspension.enabled)
        // Every setting as the page shows it, with suspension.enabled unticked and one bad number.
        let r = s.post(
            "/settings",
            [
                ("invoicing.defaultType", "forward"), ("invoicing.createDaysInAdvance", "900"),
                ("invoicing.dueDays", "12"),
                ("suspension.delayDays", "7"), ("suspension.minimumUnpaidAmount", "5.00"),
                ("suspension.postponeDays", "4"),
                ("reactivation.monthChoices", "1, 3"), ("vacationHold.defaultMonths", "3"), ("billing.runAt", "01:30"),
                ("billing.timeZone", "UTC"), ("billing.currency", "USD"),
            ])
        #expect(r.status == 422 && s.flash(r).contains("invoicing.createDaysInAdvance: must be 0–366"), "\(s.flash(r))")
        #expect(f.store.settings == saved)
        #expect(r.text.contains("id=\"settings\""))
        #expect(value(r.text, "invoicing.createDaysInAdvance") == "900" && value(r.text, "invoicing.dueDays") == "12")
        let box = try #require(
            r.text.range(of: "name=\"suspension.enabled\"").map { r.text[$0.lowerBound...].prefix { $0 != ">" } })
        #expect(!box.contains("checked"))
    }

    /// A form posted to a record that is gone has no page to come back to: a 404 page says so.
    @Test func aFormForAMissingServiceIsA404() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        let r = s.post("/services/999/suspend", [("reason", "test")])
        #expect(r.status == 404 && r.text.contains("service") && r.location == nil)
    }

    @Test func formPagesAreTheNearestPage() {
        #expect(AdminUI.formPage("/services/7/suspend") == "/services/7")
        #expect(AdminUI.formPage("/plans/3/role") == "/plans")
        #expect(AdminUI.formPage("/settings/portal-texts") == "/settings")
        #expect(AdminUI.formPage("/billing/run") == "/")
        #expect(AdminUI.formPage("/clients") == "/clients")
    }

    /// FormRefill is gone: the page is rendered from the values as typed. Only the form posted
    /// takes them (another plan's row keeps its role), each escaped by the template engine, and
    /// a field the form did not send (a box left unticked) shows as sent.
    @Test func typedValuesFillOnlyTheFormPostedAndAreEscaped() throws {
        let f = try AdminFixture(today: "2026-03-01")
        let s = try f.session()
        #expect(
            s.post("/plans", [("name", "Home"), ("monthlyPrice", "30"), ("overrideRole", "secondary")]).status == 303)
        let typed = "a\"<&>'"
        let r = s.post(
            "/plans", [("name", typed), ("monthlyPrice", "thirty"), ("overrideRole", "none"), ("billingPeriods", "")])
        #expect(r.status == 422 && s.flash(r).contains("monthlyPrice"))
        #expect(value(r.text, "name") == "a&quot;&lt;&amp;&gt;&#39;")
        #expect(value(r.text, "monthlyPrice") == "thirty" && value(r.text, "billingPeriods") == "")
        #expect(selected(r.text, "overrideRole") == "secondary")  // the first: Home's own row
        #expect(r.text.contains("<option value=\"none\" selected>none (never overridden)</option>"))
        #expect(hidden(r.text, "csrf") == s.csrf)

        let fill = FormFill(typed: ["x": "typed", "s": "2"])
        #expect(fill.text("x", "page") == "typed" && fill.text("y", "page") == "page")
        #expect(!fill.checked("box", value: "true", true))
        #expect(
            fill.options("s", [("1", "one"), ("2", "two")], selected: "1").map { $0["selected"] as? Bool } == [
                false, true,
            ])
        let untouched = FormFill(typed: nil)
        #expect(untouched.text("x", "page") == "page" && untouched.checked("box", value: "true", true))
    }
}
