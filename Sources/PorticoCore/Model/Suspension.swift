/// Why a service is suspended.
public enum SuspensionReason: String, Sendable, Codable {
    /// Unpaid overdue invoices; released automatically as soon as none meets the rule any more.
    case nonPayment
    /// By an admin; released only by an admin.
    case admin
}

/// A suspension of one service over `[from, to)`; `to` is nil while it lasts.
public struct Suspension: Hashable, Sendable {
    public var id: Int64
    public var serviceId: Int64
    public var from: LocalDate
    public var to: LocalDate?
    public var reason: SuspensionReason
    public var note: String

    public init(
        id: Int64 = 0, serviceId: Int64, from: LocalDate, to: LocalDate? = nil, reason: SuspensionReason,
        note: String = ""
    ) {
        self.id = id
        self.serviceId = serviceId
        self.from = from
        self.to = to
        self.reason = reason
        self.note = note
    }

    public var range: DayRange { DayRange(from, to ?? .distantFuture) }
    public var isOpen: Bool { to == nil }
}
