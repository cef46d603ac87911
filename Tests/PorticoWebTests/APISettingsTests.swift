import Foundation
import PorticoCore
import Testing

@Suite struct APISettingsTests {
    @Test func getShowsEverySettingByGroup() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call("GET", "/settings")
        #expect(r.status == 200)
        let invoicing = r.object["invoicing"] as? [String: Any] ?? [:]
        #expect(invoicing["defaultType"] as? String == "forward")
        #expect(invoicing["createDaysInAdvance"] as? Int == 0)
        #expect(invoicing["dueDays"] as? Int == 14)
        #expect(invoicing["useCreditAutomatically"] as? Bool == true)
        let suspension = r.object["suspension"] as? [String: Any] ?? [:]
        #expect(suspension["enabled"] as? Bool == true)
        #expect(suspension["delayDays"] as? Int == 0)
        #expect(suspension["minimumUnpaidAmount"] as? Int == 0)
        #expect(suspension["stopInvoicing"] as? Bool == false)
        #expect(suspension["allowPostpone"] as? Bool == false)
        #expect(suspension["postponeDays"] as? Int == 3)
        let reactivation = r.object["reactivation"] as? [String: Any] ?? [:]
        #expect(reactivation["enabled"] as? Bool == false)
        #expect(reactivation["monthChoices"] as? [Int] == [1, 2, 3, 6, 12])
        #expect((r.object["vacationHold"] as? [String: Any])?["defaultMonths"] as? Int == 6)
        let billing = r.object["billing"] as? [String: Any] ?? [:]
        #expect(billing["runAt"] as? String == "00:05")
        #expect(billing["timeZone"] as? String == "UTC")
        #expect(billing["currency"] as? String == "USD")
        // Every setting of `Settings.keys` is shown, and nothing else.
        var shown: Set<String> = []
        for (group, value) in r.object {
            for key in (value as? [String: Any] ?? [:]).keys { shown.insert("\(group).\(key)") }
        }
        #expect(shown == Set(Settings.keys))
    }

    @Test func patchChangesOnlyTheSettingsGiven() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call(
            "PATCH", "/settings",
            #"""
            {"suspension": {"delayDays": 7, "minimumUnpaidAmount": 500}, "invoicing": {"dueDays": 10},
             "reactivation": {"enabled": true, "monthChoices": [1, 3]}, "billing": {"timeZone": "America/Bogota"}}
            """#)
        #expect(r.status == 200, "\(r.errorMessage)")
        #expect((r.object["suspension"] as? [String: Any])?["delayDays"] as? Int == 7)
        let s = f.store.settings
        #expect(s.suspension.delayDays == 7)
        #expect(s.suspension.minimumUnpaidAmount == Money(500))
        #expect(s.invoicing.dueDays == 10)
        #expect(s.reactivation.enabled)
        #expect(s.reactivation.monthChoices == [1, 3])
        #expect(s.billing.timeZone == "America/Bogota")
        #expect(s.suspension.postponeDays == 3)
        #expect(s.invoicing.defaultType == .forward)
        // Sending back what was read changes nothing.
        let again = f.call(
            "PATCH", "/settings", String(decoding: f.call("GET", "/settings").response.body, as: UTF8.self))
        #expect(again.status == 200)
        #expect(f.store.settings == s)
    }

    @Test func badSettingsAreRefusedNamingTheKeyAndNothingIsSaved() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let before = try f.snapshot()
        let cases: [(String, Int, String)] = [
            (#"{"suspension": {"delayDays": 7, "postponeDays": 0}}"#, 422, "suspension.postponeDays"),
            (#"{"suspension": {"delayDays": "7"}}"#, 422, "suspension.delayDays"),
            (#"{"suspension": {"delayDays": null}}"#, 422, "suspension.delayDays"),
            (#"{"suspension": {"delayDays": 400}}"#, 422, "suspension.delayDays"),
            (#"{"suspension": {"delay": 1}}"#, 422, "suspension.delay"),
            (#"{"suspension": 7}"#, 422, "suspension"),
            (#"{"colour": {"x": 1}}"#, 422, "colour"),
            (#"{"invoicing": {"defaultType": "sideways"}}"#, 422, "invoicing.defaultType"),
            (#"{"invoicing": {"useCreditAutomatically": 1}}"#, 422, "invoicing.useCreditAutomatically"),
            (#"{"reactivation": {"monthChoices": [1, 30]}}"#, 422, "reactivation.monthChoices"),
            (#"{"reactivation": {"monthChoices": []}}"#, 422, "reactivation.monthChoices"),
            (#"{"billing": {"runAt": "25:00"}}"#, 422, "billing.runAt"),
            (#"{"billing": {"timeZone": "Mars/Olympus_Mons"}}"#, 422, "billing.timeZone"),
            (#"{"billing": {"currency": "DOLLARS"}}"#, 422, "billing.currency"),
            (#"{"suspension": {"delayDays": 7}"#, 400, ""),
            (#"[{"suspension": {"delayDays": 7}}]"#, 400, ""),
        ]
        for (body, status, field) in cases {
            let r = f.call("PATCH", "/settings", body)
            #expect(r.status == status, "\(body): \(r.errorMessage)")
            #expect(r.errorMessage.hasPrefix(field + (field.isEmpty ? "" : ":")), "\(body): \(r.errorMessage)")
        }
        #expect(try f.snapshot() == before)
    }
}
