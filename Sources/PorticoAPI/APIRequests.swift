import PorticoWebSupport

// Request bodies. Dates and enum values arrive as strings and are read by `APIBody` so the
// error names the field and says what was expected.

struct PlanInput: Decodable {
    var name: String
    var monthlyPrice: Int64
    var billingPeriods: [Int]?
    var periodPrices: [String: Int64]?
    var overrideRole: String?

    static let fields = APIFields(
        what: "a plan", accepted: ["name", "monthlyPrice", "billingPeriods", "periodPrices", "overrideRole"],
        ignored: ["id"])
}

struct ClientInput: Decodable {
    var name: String
    var email: String?
    var useCreditAutomatically: Bool?

    static let fields = APIFields(
        what: "a client", accepted: ["name", "email", "useCreditAutomatically"],
        ignored: ["id", "credit", "balanceDue"])
}

struct ServiceInput: Decodable {
    var clientId: Int64
    var planId: Int64
    var price: Int64?
    var billingPeriodMonths: Int?
    var invoicingType: String?
    var activeFrom: String
    var activeTo: String?
    var overrideRole: String?
    var addresses: [String]?

    static let fields = APIFields(
        what: "a service",
        accepted: [
            "clientId", "planId", "price", "billingPeriodMonths", "invoicingType", "activeFrom", "activeTo",
            "overrideRole", "addresses",
        ],
        ignored: ["id", "status", "terms"])
}

/// A PATCH of a service: absent fields are left alone; `null` resets `activeTo` (open),
/// `price` (the plan's) and `invoicingType` (the installation's). Fields that cannot change
/// (`clientId`, `planId`, `billingPeriodMonths`, `activeFrom`) are accepted when they equal the
/// current value, so a client may send back what it read.
struct ServicePatchInput: Decodable {
    var activeTo: String??
    var overrideRole: String?
    var price: Int64??
    var invoicingType: String??
    var addresses: [String]?
    var clientId: Int64?
    var planId: Int64?
    var billingPeriodMonths: Int?
    var activeFrom: String?

    enum CodingKeys: String, CodingKey {
        case activeTo, overrideRole, price, invoicingType, addresses, clientId, planId, billingPeriodMonths, activeFrom
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        activeTo = try c.decodePatch(String.self, forKey: .activeTo)
        overrideRole = try c.decodeIfPresent(String.self, forKey: .overrideRole)
        price = try c.decodePatch(Int64.self, forKey: .price)
        invoicingType = try c.decodePatch(String.self, forKey: .invoicingType)
        addresses = try c.decodeIfPresent([String].self, forKey: .addresses)
        clientId = try c.decodeIfPresent(Int64.self, forKey: .clientId)
        planId = try c.decodeIfPresent(Int64.self, forKey: .planId)
        billingPeriodMonths = try c.decodeIfPresent(Int.self, forKey: .billingPeriodMonths)
        activeFrom = try c.decodeIfPresent(String.self, forKey: .activeFrom)
    }

    static let fields = APIFields(
        what: "a service",
        accepted: [
            "activeTo", "overrideRole", "price", "invoicingType", "addresses", "clientId", "planId",
            "billingPeriodMonths", "activeFrom",
        ],
        ignored: ["id", "status", "terms"],
        notNull: ["overrideRole", "addresses", "clientId", "planId", "billingPeriodMonths", "activeFrom"])
}

struct PaymentInput: Decodable {
    var clientId: Int64
    var amount: Int64
    var receivedOn: String?
    var method: String
    var reference: String?

    static let fields = APIFields(
        what: "a payment", accepted: ["clientId", "amount", "receivedOn", "method", "reference"],
        ignored: ["id", "applied", "creditAdded"])
}

struct BillingRunInput: Decodable {
    var date: String?

    static let fields = APIFields(what: "a billing run", accepted: ["date"])
}

struct HoldInput: Decodable {
    var planId: Int64
    var from: String?
    var months: Int?

    static let fields = APIFields(what: "a vacation hold", accepted: ["planId", "from", "months"])
}

struct HoldEndInput: Decodable {
    var on: String?

    static let fields = APIFields(what: "the end of a vacation hold", accepted: ["on"])
}

struct ReasonInput: Decodable {
    var reason: String

    static let fields = APIFields(what: "a suspension or release", accepted: ["reason"])
}
