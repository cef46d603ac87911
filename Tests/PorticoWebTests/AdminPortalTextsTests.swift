import Foundation
import PorticoCore
import PorticoStore
import PorticoWebSupport
import Testing

/// The portal's catalogue (English and Spanish, by `Accept-Language`) and the texts admins edit.
@Suite struct AdminPortalTextsTests {
    static let sam = "127.0.0.71"

    func catalogs() throws -> Catalogs {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try Catalogs.load(directory: repo.appendingPathComponent("templates/i18n").path)
    }

    @Test func englishAndSpanishHaveTheSameKeys() throws {
        let c = try catalogs()
        #expect(c.codes == ["en", "es"])
        #expect(Set(c.languages["en"]!.keys) == Set(c.languages["es"]!.keys))
        for key in Catalogs.editableKeys { #expect(c.languages["en"]![key] != nil, "\(key)") }
    }

    @Test func acceptLanguagePicksTheBestShippedLanguage() throws {
        let c = try catalogs()
        #expect(c.language(for: nil) == "en")
        #expect(c.language(for: "es-CO,es;q=0.9,en;q=0.8") == "es")
        #expect(c.language(for: "fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4") == "es")
        #expect(c.language(for: "de, en;q=0.1") == "en")
        #expect(c.language(for: "es;q=0, en") == "en")
        #expect(c.language(for: "*") == "en")
    }

    @Test func thePortalSpeaksSpanishAndShowsTheAdminsTexts() throws {
        let f = try PortalFixture(today: "2026-03-01") { store in
            let plan = try store.createPlan(Plan(name: "Hogar", monthlyPrice: 3000))
            let c = try store.createClient(ClientRecord(name: "Sam", email: "sam@example.net"))
            _ = try store.createService(
                NewService(
                    clientId: c.id, planId: plan.id, activeFrom: try LocalDate("2026-01-01"),
                    addresses: [Self.sam]), on: try LocalDate("2026-01-01"))
            _ = try store.runBilling(through: try LocalDate("2026-03-01"))
        }
        func page(_ language: String) throws -> String {
            try f.connect(Self.sam).request("GET", "/", headers: [("Accept-Language", language)]).text
        }
        let es = try page("es-ES,es;q=0.9")
        #expect(es.contains("<html lang=\"es\">"))
        #expect(es.contains("Su servicio Hogar está suspendido porque hay facturas vencidas."))
        #expect(es.contains("Facturas vencidas") && es.contains("+ 3 meses · 90.00 USD"))
        let en = try page("en-US")
        #expect(en.contains("Your Hogar service is suspended because invoices are overdue."))
        #expect(en.contains("help@isp.test") && !en.contains("class=\"notice\""))

        try f.store.setPortalTexts(
            [
                ("reason.nonPayment", "es", "Su plan {plan} está en pausa: pague en la oficina o aquí."),
                ("page.notice", "en", "Office closed on Monday."), ("contact", "es", "WhatsApp +57 300 000 0000"),
            ],
            on: try LocalDate("2026-03-01"), by: "test")
        let edited = try page("es")
        #expect(edited.contains("Su plan Hogar está en pausa: pague en la oficina o aquí."))
        #expect(edited.contains("WhatsApp +57 300 000 0000") && !edited.contains("help@isp.test"))
        #expect(try page("en").contains("Office closed on Monday."))
        // An empty text restores the catalogue's.
        try f.store.setPortalTexts([("reason.nonPayment", "es", " ")], on: try LocalDate("2026-03-01"), by: "test")
        #expect(try page("es").contains("porque hay facturas vencidas"))
        #expect(try f.store.auditLog(limit: 5).contains { $0.event == "portal texts changed" })
    }

    @Test func adminsEditPortalTextsOnTheSettingsPage() throws {
        let f = try AdminFixture()
        let s = try f.session()
        let page = s.get("/settings").text
        #expect(page.contains("name=\"es.reason.nonPayment\"") && page.contains("porque hay facturas vencidas"))
        let r = s.post("/settings/portal-texts", [("es.page.notice", "Aviso"), ("en.contact", "Call 555")])
        #expect(s.flash(r) == "Portal texts saved.")
        #expect(try f.store.portalTexts() == ["es": ["page.notice": "Aviso"], "en": ["contact": "Call 555"]])
    }
}
