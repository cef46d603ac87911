import PorticoCore

/// A client as the API shows it: with derived credit and balance due.
public struct ClientRecord: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var email: String
    /// nil: the installation's `invoicing.useCreditAutomatically` applies.
    public var useCreditAutomatically: Bool?
    public var credit: Money
    public var balanceDue: Money

    public init(
        id: Int64 = 0, name: String, email: String = "", useCreditAutomatically: Bool? = nil,
        credit: Money = .zero, balanceDue: Money = .zero
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.useCreditAutomatically = useCreditAutomatically
        self.credit = credit
        self.balanceDue = balanceDue
    }
}

/// What an admin asks for when creating a service; unset fields come from the plan.
public struct NewService: Sendable {
    public var clientId: Int64
    public var planId: Int64
    public var price: Money?
    public var billingPeriodMonths: Int?
    public var invoicingType: InvoicingType?
    public var activeFrom: LocalDate
    public var activeTo: LocalDate?
    public var overrideRole: OverrideRole?
    public var addresses: [String]

    public init(
        clientId: Int64, planId: Int64, price: Money? = nil, billingPeriodMonths: Int? = nil,
        invoicingType: InvoicingType? = nil, activeFrom: LocalDate, activeTo: LocalDate? = nil,
        overrideRole: OverrideRole? = nil, addresses: [String] = []
    ) {
        self.clientId = clientId
        self.planId = planId
        self.price = price
        self.billingPeriodMonths = billingPeriodMonths
        self.invoicingType = invoicingType
        self.activeFrom = activeFrom
        self.activeTo = activeTo
        self.overrideRole = overrideRole
        self.addresses = addresses
    }
}

/// A change to a service; nil fields are left alone. `activeTo` uses a double optional:
/// `.some(nil)` opens the last term.
public struct ServicePatch: Sendable {
    public var activeTo: LocalDate??
    public var overrideRole: OverrideRole?
    public var price: Money??
    public var invoicingType: InvoicingType??
    public var addresses: [String]?

    public init(
        activeTo: LocalDate?? = nil, overrideRole: OverrideRole? = nil, price: Money?? = nil,
        invoicingType: InvoicingType?? = nil, addresses: [String]? = nil
    ) {
        self.activeTo = activeTo
        self.overrideRole = overrideRole
        self.price = price
        self.invoicingType = invoicingType
        self.addresses = addresses
    }
}

/// A service as the API shows it.
public struct ServiceRecord: Hashable, Sendable {
    public var service: Service
    /// The service's own price, nil when it follows the plan.
    public var customPrice: Money?
    /// The status on the date asked for, derived from the facts.
    public var status: ServiceStatus
    /// The status the last run or action wrote: what the walled garden reflects.
    public var storedStatus: ServiceStatus

    public var id: Int64 { service.id }
}

/// An issued invoice or credit note with its lines and settlement state.
public struct DocumentRecord: Hashable, Sendable {
    public enum Status: String, Sendable { case unpaid, partial, paid, void }
    public struct Line: Hashable, Sendable {
        public var serviceId: Int64
        public var description: String
        public var range: DayRange
        /// Positive: what the line charges or, on a credit note, gives back.
        public var amount: Money
    }

    public var id: Int64
    public var kind: DocumentDraft.Kind
    public var number: String
    public var clientId: Int64
    public var issuedOn: LocalDate
    public var dueOn: LocalDate
    public var total: Money
    public var amountPaid: Money
    public var status: Status
    public var corrects: Int64?
    public var lines: [Line]
}

/// A recorded payment and where it went.
public struct PaymentRecord: Hashable, Sendable {
    public var id: Int64
    public var clientId: Int64
    public var amount: Money
    public var receivedOn: LocalDate
    public var method: String
    public var reference: String
    public var applied: [(documentId: Int64, amount: Money)]
    public var creditAdded: Money

    public static func == (a: PaymentRecord, b: PaymentRecord) -> Bool {
        a.id == b.id && a.amount == b.amount && a.applied.map(\.documentId) == b.applied.map(\.documentId)
            && a.applied.map(\.amount) == b.applied.map(\.amount) && a.creditAdded == b.creditAdded
    }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// What a change did to the walled garden: addresses to add to and remove from the sets.
public struct WalledGardenDelta: Hashable, Sendable {
    public var suspend: Set<IPPrefix> = []
    public var release: Set<IPPrefix> = []

    public init(suspend: Set<IPPrefix> = [], release: Set<IPPrefix> = []) {
        self.suspend = suspend
        self.release = release
    }

    public var isEmpty: Bool { suspend.isEmpty && release.isEmpty }

    /// Folds a later change into this one: the last word on an address wins.
    public mutating func merge(_ later: WalledGardenDelta) {
        release.subtract(later.suspend)
        suspend.formUnion(later.suspend)
        suspend.subtract(later.release)
        release.formUnion(later.release)
    }
}
