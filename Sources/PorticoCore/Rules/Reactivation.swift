/// Reactivation of an ended service from the walled garden (SPEC §6).
public enum Reactivation {
    /// Checks that `months` is offered and the service can be reactivated on `date`.
    public static func validate(
        _ service: Service, months: Int, settings: Settings.Reactivation,
        status: ServiceStatus, on date: LocalDate
    ) throws(BillingError) {
        guard settings.enabled else { throw .notAllowed("reactivation is not enabled") }
        guard settings.monthChoices.contains(months) else {
            throw .monthsNotOffered(months: months, choices: settings.monthChoices)
        }
        guard status == .ended else {
            throw .notAllowed("service \(service.id) is \(status.rawValue), only an ended service can be reactivated")
        }
        if let last = service.terms.last, (last.end ?? .distantFuture) > date {
            throw .overlappingTerms(serviceId: service.id)
        }
    }

    /// N months of the service: the plan's period price where one matches N.
    public static func price(_ service: Service, months: Int) -> Money { service.price(forMonths: months) }

    /// The term a reactivation appends: `[date, addMonths(date, N))`, anchored on `date`, one cycle
    /// of N months, paid in advance.
    public static func term(months: Int, on date: LocalDate) -> Term {
        Term(start: date, end: date.addingMonths(months), anchor: date, periodMonths: months, prepaid: true)
    }
}

/// Vacation hold (SPEC §7): a primary service that overrides the client's secondaries for a while.
public enum VacationHold {
    /// The primary service to create for a hold of `months` from `from` on `plan`, overriding
    /// `secondary`. Its cycles use the secondary's anchor, so its first and last cycles are
    /// prorated to the secondary's cycle boundaries; its period is the secondary's when the
    /// vacation plan allows it, else the plan's first period. It takes over the secondary's
    /// addresses (the same connection, on the cheaper plan).
    public static func primary(
        overriding secondary: Service, among services: [Service], plan: Plan, from: LocalDate,
        months: Int
    ) throws(BillingError) -> Service {
        guard secondary.overrideRole == .secondary else {
            throw .notAllowed(
                "service \(secondary.id) has role \(secondary.overrideRole.rawValue); a hold overrides a secondary service"
            )
        }
        guard (1...24).contains(months) else { throw .invalidField("months", "must be 1–24") }
        guard let base = secondary.term(covering: from) else {
            throw .invalidField("from", "service \(secondary.id) has no term on \(from)")
        }
        let end = from.addingMonths(months)
        let hold = DayRange(from, end)
        for other in services where other.clientId == secondary.clientId && other.overrideRole == .primary {
            if other.terms.contains(where: { !$0.range.intersection(hold).isEmpty }) {
                throw .notAllowed("the client already has a vacation hold (service \(other.id)) overlapping \(hold)")
            }
        }
        let period = plan.billingPeriods.contains(base.periodMonths) ? base.periodMonths : plan.billingPeriods[0]
        return Service(
            id: 0, clientId: secondary.clientId, planId: plan.id, planName: plan.name,
            monthlyPrice: plan.monthlyPrice, periodPrices: plan.periodPrices, billingPeriodMonths: period,
            invoicingType: secondary.invoicingType, overrideRole: .primary, addresses: secondary.addresses,
            terms: [Term(start: from, end: end, anchor: base.anchor, periodMonths: period)])
    }

    /// The hold ended early on `on`: the primary's term ends that day.
    public static func endEarly(_ primary: Service, on: LocalDate) throws(BillingError) -> Service {
        guard primary.overrideRole == .primary, var last = primary.terms.last else {
            throw .notAllowed("service \(primary.id) is not a vacation hold")
        }
        guard last.start < on, on < (last.end ?? .distantFuture) else {
            throw .invalidField("on", "\(on) is not inside the hold \(last.range)")
        }
        last.end = on
        var out = primary
        out.terms[out.terms.count - 1] = last
        return out
    }
}
