/// A service's status on a date, derived from its terms, the client's primaries and suspensions.
public enum ServiceStatus: String, Sendable, CaseIterable, Codable {
    /// Before its first term.
    case pending
    case active
    /// For non-payment or by an admin.
    case suspended
    /// No term covers the date any more ("paused"); stays so whatever it owes.
    case ended
    /// A secondary while a primary of the same client is within its term.
    case overridden

    /// Whether the router must send this service's traffic to the walled garden.
    public var isStopped: Bool { self == .suspended || self == .ended }
}

public enum StatusRules {
    /// Precedence: pending, ended, suspended, overridden, active.
    public static func status(
        of service: Service, among services: [Service], suspensions: [Suspension],
        on date: LocalDate
    ) -> ServiceStatus {
        guard let first = service.terms.first, date >= first.start else { return .pending }
        guard service.term(covering: date) != nil else { return .ended }
        if suspensions.contains(where: { $0.serviceId == service.id && $0.range.contains(date) }) { return .suspended }
        if isOverridden(service, among: services, on: date) { return .overridden }
        return .active
    }

    public static func isOverridden(_ service: Service, among services: [Service], on date: LocalDate) -> Bool {
        service.overrideRole == .secondary
            && services.contains {
                $0.id != service.id && $0.overrideRole == .primary && $0.term(covering: date) != nil
            }
    }

    /// The next date after `date` on which a status may change with facts unchanged.
    public static func nextChange(services: [Service], suspensions: [Suspension], after date: LocalDate) -> LocalDate? {
        var dates: [LocalDate] = []
        for s in services {
            for t in s.terms {
                dates.append(t.start)
                if let e = t.end { dates.append(e) }
            }
        }
        for s in suspensions {
            dates.append(s.from)
            if let e = s.to { dates.append(e) }
        }
        return dates.filter { $0 > date }.min()
    }

    /// Addresses that belong in the walled garden: those of a stopped service, unless another
    /// service claiming the same address is active (a primary hold sharing its secondary's).
    public static func stoppedAddresses(_ statuses: [(service: Service, status: ServiceStatus)]) -> Set<IPPrefix> {
        var stopped: Set<IPPrefix> = []
        var running: Set<IPPrefix> = []
        for (service, status) in statuses {
            if status.isStopped { stopped.formUnion(service.addresses) }
            if status == .active { running.formUnion(service.addresses) }
        }
        return stopped.subtracting(running)
    }
}
