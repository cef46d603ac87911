import PorticoCore
import PorticoStore
import PorticoWebSupport

// The JSON shapes of SPEC §12. Amounts are integers in minor units, dates `YYYY-MM-DD`;
// ranges shown to people are inclusive (`to`, `end`, `activeTo` are the last covered day).

/// Encodes `nil` as JSON `null` rather than leaving the key out, so every documented key is
/// always present (`activeTo: null` says "open", which a missing key would not).
@propertyWrapper
struct APINullable<T: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: T?
    init(wrappedValue: T?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }
}

struct PlanJSON: Encodable, Sendable {
    var id: Int64
    var name: String
    var monthlyPrice: Int64
    var billingPeriods: [Int]
    /// Months (as a string key, JSON objects have no integer keys) → price of that period.
    var periodPrices: [String: Int64]
    var overrideRole: String

    init(_ p: Plan) {
        id = p.id
        name = p.name
        monthlyPrice = p.monthlyPrice.minorUnits
        billingPeriods = p.billingPeriods
        periodPrices = Dictionary(uniqueKeysWithValues: p.periodPrices.map { (String($0.key), $0.value.minorUnits) })
        overrideRole = p.overrideRole.rawValue
    }
}

struct ClientJSON: Encodable, Sendable {
    var id: Int64
    var name: String
    var email: String
    @APINullable var useCreditAutomatically: Bool?
    var credit: Int64
    var balanceDue: Int64

    init(_ c: ClientRecord) {
        id = c.id
        name = c.name
        email = c.email
        useCreditAutomatically = c.useCreditAutomatically
        credit = c.credit.minorUnits
        balanceDue = c.balanceDue.minorUnits
    }
}

struct TermJSON: Encodable, Sendable {
    var start: String
    /// The term's last covered day (inclusive, like `activeTo`); null while it is open.
    @APINullable var end: String?
}

struct ServiceJSON: Encodable, Sendable {
    var id: Int64
    var clientId: Int64
    var planId: Int64
    /// The monthly price in effect: the service's own, else the plan's.
    var price: Int64
    var billingPeriodMonths: Int
    @APINullable var invoicingType: String?
    var activeFrom: String
    @APINullable var activeTo: String?
    var overrideRole: String
    var addresses: [String]
    var status: String
    var terms: [TermJSON]

    init(_ r: ServiceRecord) {
        let s = r.service
        id = s.id
        clientId = s.clientId
        planId = s.planId
        price = s.monthlyPrice.minorUnits
        billingPeriodMonths = s.billingPeriodMonths
        invoicingType = s.invoicingType?.rawValue
        activeFrom = s.activeFrom?.description ?? ""
        activeTo = s.activeTo?.description
        overrideRole = s.overrideRole.rawValue
        addresses = s.addresses.map(\.description)
        status = r.status.rawValue
        terms = s.terms.map {
            TermJSON(start: $0.start.description, end: $0.end.map { $0.adding(days: -1).description })
        }
    }
}

struct LineJSON: Encodable, Sendable, Equatable {
    var serviceId: Int64
    var description: String
    var from: String
    /// Inclusive.
    var to: String
    /// Positive on both kinds: what the line charges or, on a credit note, gives back.
    var amount: Int64

    init(serviceId: Int64, description: String, range: DayRange, amount: Money) {
        self.serviceId = serviceId
        self.description = description
        from = range.start.description
        to = range.lastDay.description
        self.amount = (amount < .zero ? -amount : amount).minorUnits
    }
}

struct DocumentJSON: Encodable, Sendable {
    var id: Int64
    var kind: String
    var number: String
    var clientId: Int64
    var issuedOn: String
    var dueOn: String
    var total: Int64
    var amountPaid: Int64
    var status: String
    @APINullable var corrects: Int64?
    var lines: [LineJSON]

    init(_ d: DocumentRecord) {
        id = d.id
        kind = d.kind.rawValue
        number = d.number
        clientId = d.clientId
        issuedOn = d.issuedOn.description
        dueOn = d.dueOn.description
        total = d.total.minorUnits
        amountPaid = d.amountPaid.minorUnits
        status = d.status.rawValue
        corrects = d.corrects
        lines = d.lines.map {
            LineJSON(
                serviceId: $0.serviceId, description: $0.description, range: $0.range,
                amount: $0.amount)
        }
    }
}

/// A document a preview says would be issued: no id or number yet.
struct DocumentDraftJSON: Encodable, Sendable {
    var kind: String
    var clientId: Int64
    var issuedOn: String
    var dueOn: String
    var total: Int64
    var lines: [LineJSON]

    /// `serviceIds` maps the ids the preview saw to the ids to show (the service a hold would
    /// create has no id yet: 0).
    init(_ d: DocumentDraft, serviceId: (Int64) -> Int64) {
        kind = d.kind.rawValue
        clientId = d.clientId
        issuedOn = d.issuedOn.description
        dueOn = d.dueOn.description
        total = d.total.minorUnits
        lines = d.lines.map {
            LineJSON(
                serviceId: serviceId($0.serviceId), description: $0.description,
                range: $0.range, amount: $0.amount)
        }
    }
}

struct PaymentJSON: Encodable, Sendable {
    struct Allocation: Encodable, Sendable {
        var documentId: Int64
        var amount: Int64
    }
    var id: Int64
    var clientId: Int64
    var amount: Int64
    var receivedOn: String
    var method: String
    var reference: String
    var applied: [Allocation]
    var creditAdded: Int64

    init(_ p: PaymentRecord) {
        id = p.id
        clientId = p.clientId
        amount = p.amount.minorUnits
        receivedOn = p.receivedOn.description
        method = p.method
        reference = p.reference
        applied = p.applied.map { Allocation(documentId: $0.documentId, amount: $0.amount.minorUnits) }
        creditAdded = p.creditAdded.minorUnits
    }
}

/// What a change did to the walled garden, as addresses.
struct WalledGardenChangeJSON: Encodable, Sendable {
    var suspended: [String]
    var released: [String]

    init(_ d: WalledGardenDelta) {
        suspended = d.suspend.sorted().map(\.description)
        released = d.release.sorted().map(\.description)
    }
}

struct BillingRunJSON: Encodable, Sendable {
    var dates: [String]
    var clientsStepped: Int
    var documentsIssued: Int
    var walledGarden: WalledGardenChangeJSON

    init(_ r: BillingRunReport) {
        dates = r.dates.map(\.description)
        clientsStepped = r.clientsStepped
        documentsIssued = r.documentsIssued
        walledGarden = WalledGardenChangeJSON(r.delta)
    }
}

struct HoldJSON: Encodable, Sendable {
    var primary: ServiceJSON
    var documents: [DocumentJSON]
}

struct HoldPreviewJSON: Encodable, Sendable {
    var primary: ServiceJSON
    var documents: [DocumentDraftJSON]
}

struct WalledGardenJSON: Encodable, Sendable {
    var addresses: [String]
    var count: Int
}
