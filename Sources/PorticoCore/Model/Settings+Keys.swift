/// Settings by their dotted names (`suspension.delayDays`), as text: one place that the
/// database, the API, configuration files and environment variables all go through.
extension Settings {
    /// Every setting name, grouped as in SPEC.
    public static let keys: [String] = [
        "invoicing.defaultType", "invoicing.createDaysInAdvance", "invoicing.dueDays",
        "invoicing.useCreditAutomatically",
        "suspension.enabled", "suspension.delayDays", "suspension.minimumUnpaidAmount", "suspension.stopInvoicing",
        "suspension.allowPostpone", "suspension.postponeDays",
        "reactivation.enabled", "reactivation.monthChoices",
        "vacationHold.defaultMonths",
        "billing.runAt", "billing.timeZone", "billing.currency",
    ]

    /// The setting's value as text (lists comma-separated, money in minor units).
    public func text(forKey key: String) -> String? {
        switch key {
        case "invoicing.defaultType": invoicing.defaultType.rawValue
        case "invoicing.createDaysInAdvance": String(invoicing.createDaysInAdvance)
        case "invoicing.dueDays": String(invoicing.dueDays)
        case "invoicing.useCreditAutomatically": String(invoicing.useCreditAutomatically)
        case "suspension.enabled": String(suspension.enabled)
        case "suspension.delayDays": String(suspension.delayDays)
        case "suspension.minimumUnpaidAmount": String(suspension.minimumUnpaidAmount.minorUnits)
        case "suspension.stopInvoicing": String(suspension.stopInvoicing)
        case "suspension.allowPostpone": String(suspension.allowPostpone)
        case "suspension.postponeDays": String(suspension.postponeDays)
        case "reactivation.enabled": String(reactivation.enabled)
        case "reactivation.monthChoices": reactivation.monthChoices.map(String.init).joined(separator: ",")
        case "vacationHold.defaultMonths": String(vacationHold.defaultMonths)
        case "billing.runAt": billing.runAt
        case "billing.timeZone": billing.timeZone
        case "billing.currency": billing.currency
        default: nil
        }
    }

    /// Sets one setting from text; the error names the key. Does not validate ranges across
    /// settings: call `validate()` after a batch of changes.
    public mutating func set(_ key: String, text raw: String) throws(BillingError) {
        let value = raw.trimmingSpaces
        func int() throws(BillingError) -> Int {
            guard let v = Int(value) else { throw .invalidField(key, "'\(raw)' is not a whole number") }
            return v
        }
        func bool() throws(BillingError) -> Bool {
            switch value.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw .invalidField(key, "'\(raw)' is not true or false")
            }
        }
        switch key {
        case "invoicing.defaultType":
            guard let t = InvoicingType(rawValue: value) else {
                throw .invalidField(key, "must be forward or backward")
            }
            invoicing.defaultType = t
        case "invoicing.createDaysInAdvance": invoicing.createDaysInAdvance = try int()
        case "invoicing.dueDays": invoicing.dueDays = try int()
        case "invoicing.useCreditAutomatically": invoicing.useCreditAutomatically = try bool()
        case "suspension.enabled": suspension.enabled = try bool()
        case "suspension.delayDays": suspension.delayDays = try int()
        case "suspension.minimumUnpaidAmount": suspension.minimumUnpaidAmount = Money(Int64(try int()))
        case "suspension.stopInvoicing": suspension.stopInvoicing = try bool()
        case "suspension.allowPostpone": suspension.allowPostpone = try bool()
        case "suspension.postponeDays": suspension.postponeDays = try int()
        case "reactivation.enabled": reactivation.enabled = try bool()
        case "reactivation.monthChoices":
            var list: [Int] = []
            for part in value.split(separator: ",") {
                guard let n = Int(String(part).trimmingSpaces) else {
                    throw .invalidField(key, "'\(raw)' is not a list of whole numbers")
                }
                list.append(n)
            }
            reactivation.monthChoices = list
        case "vacationHold.defaultMonths": vacationHold.defaultMonths = try int()
        case "billing.runAt": billing.runAt = value
        case "billing.timeZone": billing.timeZone = value
        case "billing.currency": billing.currency = value.uppercased()
        default: throw .invalidField(key, "is not a setting")
        }
    }
}
