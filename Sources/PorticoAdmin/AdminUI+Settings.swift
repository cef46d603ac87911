import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Every setting of SPEC §1–§8, and the portal's texts and contact details per language.
extension AdminUI {
    /// How each setting is edited: a choice, a yes/no, a number, an amount or text.
    enum SettingInput { case choice([String]), flag, number, amount, text }

    static let settingInputs: [String: (label: String, input: SettingInput, help: String)] = [
        "invoicing.defaultType": (
            "Default invoicing", .choice(["forward", "backward"]),
            "Forward bills a cycle on its first day; backward the day after it ends."
        ),
        "invoicing.createDaysInAdvance": ("Create invoices days in advance", .number, ""),
        "invoicing.dueDays": ("Days until an invoice is due", .number, ""),
        "invoicing.useCreditAutomatically": ("Use credit automatically", .flag, "A client may override it."),
        "suspension.enabled": ("Suspend for non-payment", .flag, ""),
        "suspension.delayDays": ("Days after the due date before suspending", .number, ""),
        "suspension.minimumUnpaidAmount": ("Minimum overdue amount to suspend", .amount, ""),
        "suspension.stopInvoicing": ("Stop invoicing while suspended", .flag, ""),
        "suspension.allowPostpone": ("Clients may postpone a suspension", .flag, ""),
        "suspension.postponeDays": ("Days a postponement gives", .number, ""),
        "reactivation.enabled": ("Ended services may reactivate from the portal", .flag, ""),
        "reactivation.monthChoices": ("Months offered", .text, "Comma-separated, e.g. 1, 2, 3, 6, 12."),
        "vacationHold.defaultMonths": ("Default vacation hold (months)", .number, ""),
        "billing.runAt": ("Daily billing run at", .text, "HH:MM in the installation's time zone."),
        "billing.timeZone": ("Time zone", .text, "An IANA name, e.g. America/Bogota. Takes effect at the next start."),
        "billing.currency": ("Currency", .text, "ISO 4217 code, e.g. USD."),
    ]

    func settings(_ r: AdminRequest) throws -> HTTPResponse {
        let s = store.settings
        let form = r.fill("/settings")
        var groups: [[String: Any]] = []
        for key in Settings.keys {
            let group = String(key.split(separator: ".")[0])
            let (label, input, help) = Self.settingInputs[key] ?? (key, .text, "")
            var value = s.text(forKey: key) ?? ""
            var field: [String: Any] = ["key": key, "label": label, "help": help]
            if case .amount = input { value = amountInput(s.suspension.minimumUnpaidAmount) }
            let shown = form.text(key, value)
            switch input {
            case .choice(let options):
                field["choice"] = true
                field["options"] = options.map { ["value": $0, "selected": $0 == shown] }
            case .flag:
                field["flag"] = true
                field["yes"] = form.checked(key, value: "true", value == "true")
            case .number:
                field["number"] = true
            case .amount, .text:
                field["plain"] = true
            }
            field["value"] = shown
            if groups.last?["name"] as? String != group {
                groups.append(["name": group, "title": Self.groupTitles[group] ?? group, "fields": [[String: Any]]()])
            }
            var fields = groups[groups.count - 1]["fields"] as! [[String: Any]]
            fields.append(field)
            groups[groups.count - 1]["fields"] = fields
        }
        let overrides = (try? store.portalTexts()) ?? [:]
        let textsForm = r.fill("/settings/portal-texts")
        let languages = context.catalogs.codes.map { code -> [String: Any] in
            let catalog = context.catalogs.strings(code)
            return [
                "code": code, "name": catalog["language.name"] ?? code,
                "texts": Catalogs.editableKeys.map { key -> [String: Any] in
                    [
                        "key": key, "name": "\(code).\(key)", "label": Self.textLabels[key] ?? key,
                        "value": textsForm.text("\(code).\(key)", overrides[code]?[key] ?? ""),
                        "default": key == "contact" ? context.branding.contact : catalog[key] ?? "",
                        "long": key != "contact",
                    ]
                },
            ]
        }
        let gateway = context.gateway
        let gatewayView: [String: Any] = [
            "name": gateway.name, "hosts": gateway.allowedHosts.joined(separator: ", "),
            "webhook": gateway.name == "stripe" ? context.branding.preferredURL + "/webhooks/stripe" : "",
        ]
        return page(
            "settings", title: "Settings", section: "settings", r,
            ["groups": groups, "languages": languages, "gateway": gatewayView])
    }

    /// "Test connection": calls the payment provider with the configured credentials.
    /// The provider may be slow or down: the call runs on the listener's worker pool, never on
    /// a thread that serves the API (routers' walled-garden polls) and the other admins.
    func testGateway(_ r: AdminRequest) throws -> HTTPResponse {
        .later(key: "gateway test", limit: 1) { [self] in
            let flash: Flash
            do {
                flash = Flash(kind: .ok, text: try context.gateway.testConnection())
            } catch {
                flash = Flash(kind: .error, text: "\(error)")  // GatewayError's description
            }
            try? store.auditAdminAction(
                on: context.clock.today(), event: "gateway tested",
                reason: "by \(r.session.username): \(flash.text)")
            return r.back(default: "/settings", flash: flash)
        }
    }

    static let groupTitles = [
        "invoicing": "Invoicing", "suspension": "Suspension", "reactivation": "Reactivation",
        "vacationHold": "Vacation hold", "billing": "Billing run, time zone and currency",
    ]

    static let textLabels = [
        "page.notice": "Notice at the top of the page (optional)",
        "reason.nonPayment": "Suspended for non-payment ({plan} is the plan's name)",
        "reason.admin": "Suspended by an admin ({plan})",
        "reason.ended": "Service ended ({plan}, {date})",
        "contact": "Contact details",
    ]

    /// Saves the settings that changed; every value is checked and nothing is saved unless all
    /// of them are valid (the error names the setting).
    func saveSettings(_ r: AdminRequest) throws -> HTTPResponse {
        let current = store.settings
        var changes: [(key: String, value: String)] = []
        for key in Settings.keys {
            guard let input = Self.settingInputs[key]?.input else { continue }
            var value: String
            switch input {
            case .flag: value = r.form[key] == nil ? "false" : "true"
            case .amount: value = String(try parseMoney(r.field(key), field: key).minorUnits)
            default: value = r.field(key)
            }
            if key == "reactivation.monthChoices" { value = value.replacingOccurrences(of: " ", with: "") }
            if value != current.text(forKey: key) { changes.append((key, value)) }
        }
        if let zone = changes.first(where: { $0.key == "billing.timeZone" })?.value, TimeZone(identifier: zone) == nil {
            throw AdminInputError("billing.timeZone", "'\(zone)' is not an IANA time zone")
        }
        guard !changes.isEmpty else {
            return r.back(default: "/settings", flash: Flash(kind: .ok, text: "Nothing changed."))
        }
        try store.updateSettings(changes)
        try store.auditAdminAction(
            on: context.clock.today(), event: "settings changed",
            reason: "by \(r.session.username): " + changes.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        return r.back(
            default: "/settings",
            flash: Flash(kind: .ok, text: "Saved: " + changes.map(\.key).joined(separator: ", ") + "."))
    }

    /// Saves the portal's texts: fields named `<language>.<key>`; an empty one restores the
    /// catalogue's text.
    func savePortalTexts(_ r: AdminRequest) throws -> HTTPResponse {
        var edits: [(key: String, language: String, value: String)] = []
        for code in context.catalogs.codes {
            for key in Catalogs.editableKeys {
                guard let value = r.form["\(code).\(key)"] else { continue }
                guard value.count <= 2000 else { throw AdminInputError("\(code).\(key)", "at most 2000 characters") }
                edits.append((key, code, value))
            }
        }
        try store.setPortalTexts(edits, on: context.clock.today(), by: r.session.username)
        return r.back(default: "/settings", flash: Flash(kind: .ok, text: "Portal texts saved."))
    }
}
