import PorticoCore
import PorticoWebSupport

/// Settings as JSON: the groups of SPEC §12, each setting under its own name and JSON type.
/// A response fills every field; a PATCH body carries only the settings it changes.
struct SettingsJSON: Codable, Sendable {
    struct Invoicing: Codable, Sendable {
        var defaultType: String?
        var createDaysInAdvance: Int?
        var dueDays: Int?
        var useCreditAutomatically: Bool?
    }
    struct Suspension: Codable, Sendable {
        var enabled: Bool?
        var delayDays: Int?
        var minimumUnpaidAmount: Int64?
        var stopInvoicing: Bool?
        var allowPostpone: Bool?
        var postponeDays: Int?
    }
    struct Reactivation: Codable, Sendable {
        var enabled: Bool?
        var monthChoices: [Int]?
    }
    struct VacationHold: Codable, Sendable {
        var defaultMonths: Int?
    }
    struct Billing: Codable, Sendable {
        var runAt: String?
        var timeZone: String?
        var currency: String?
    }

    var invoicing: Invoicing?
    var suspension: Suspension?
    var reactivation: Reactivation?
    var vacationHold: VacationHold?
    var billing: Billing?

    init(_ s: Settings) {
        invoicing = Invoicing(
            defaultType: s.invoicing.defaultType.rawValue, createDaysInAdvance: s.invoicing.createDaysInAdvance,
            dueDays: s.invoicing.dueDays, useCreditAutomatically: s.invoicing.useCreditAutomatically)
        suspension = Suspension(
            enabled: s.suspension.enabled, delayDays: s.suspension.delayDays,
            minimumUnpaidAmount: s.suspension.minimumUnpaidAmount.minorUnits, stopInvoicing: s.suspension.stopInvoicing,
            allowPostpone: s.suspension.allowPostpone, postponeDays: s.suspension.postponeDays)
        reactivation = Reactivation(enabled: s.reactivation.enabled, monthChoices: s.reactivation.monthChoices)
        vacationHold = VacationHold(defaultMonths: s.vacationHold.defaultMonths)
        billing = Billing(runAt: s.billing.runAt, timeZone: s.billing.timeZone, currency: s.billing.currency)
    }

    /// The settings this body sets, by dotted name and as the text `Settings.set` reads, in the
    /// order of `Settings.keys`.
    var changes: [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        func add(_ key: String, _ value: (some CustomStringConvertible)?) {
            if let value { out.append((key, value.description)) }
        }
        add("invoicing.defaultType", invoicing?.defaultType)
        add("invoicing.createDaysInAdvance", invoicing?.createDaysInAdvance)
        add("invoicing.dueDays", invoicing?.dueDays)
        add("invoicing.useCreditAutomatically", invoicing?.useCreditAutomatically)
        add("suspension.enabled", suspension?.enabled)
        add("suspension.delayDays", suspension?.delayDays)
        add("suspension.minimumUnpaidAmount", suspension?.minimumUnpaidAmount)
        add("suspension.stopInvoicing", suspension?.stopInvoicing)
        add("suspension.allowPostpone", suspension?.allowPostpone)
        add("suspension.postponeDays", suspension?.postponeDays)
        add("reactivation.enabled", reactivation?.enabled)
        add("reactivation.monthChoices", reactivation?.monthChoices.map { $0.map(String.init).joined(separator: ",") })
        add("vacationHold.defaultMonths", vacationHold?.defaultMonths)
        add("billing.runAt", billing?.runAt)
        add("billing.timeZone", billing?.timeZone)
        add("billing.currency", billing?.currency)
        return out
    }

    /// The keys a PATCH body may hold: the groups and, in each, the names of `Settings.keys`.
    static let fields: APIFields = {
        var groups: [String: Set<String>] = [:]
        for key in Settings.keys {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            groups[parts[0], default: []].insert(parts[1])
        }
        var nested: [String: APIFields] = [:]
        for (group, names) in groups {
            nested[group] = APIFields(what: "the \(group) settings", accepted: names, notNull: names)
        }
        return APIFields(what: "the settings", accepted: Set(groups.keys), notNull: Set(groups.keys), nested: nested)
    }()
}
