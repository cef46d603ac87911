import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Services: create, read, change; manual suspension and release.
extension APIHandlers {
    /// Creates a service with its first term; the next billing run bills it from `activeFrom`.
    func createService(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(ServiceInput.self, from: r, fields: ServiceInput.fields)
        let new = NewService(
            clientId: body.clientId, planId: body.planId, price: body.price.map { Money($0) },
            billingPeriodMonths: body.billingPeriodMonths,
            invoicingType: try body.invoicingType.map {
                try APIBody.choice($0, InvoicingType.self, field: "invoicingType")
            },
            activeFrom: try APIBody.startDate(body.activeFrom, field: "activeFrom", today: today()),
            activeTo: try body.activeTo.map { try APIBody.date($0, field: "activeTo") },
            overrideRole: try body.overrideRole.map {
                try APIBody.choice($0, OverrideRole.self, field: "overrideRole")
            },
            addresses: body.addresses ?? [])
        let saved = try store.createService(new, on: today())
        refresh(clientId: saved.service.clientId)
        return created(ServiceJSON(saved), at: "/services/\(saved.id)")
    }

    /// The service with its status today.
    func getService(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(ServiceJSON(try store.service(APIBody.id(p, kind: "service"), on: today())))
    }

    /// Changes `activeTo`, `overrideRole`, `price`, `invoicingType` or `addresses`. The daily run
    /// bills the difference (SPEC §7, manual holds).
    func patchService(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(ServicePatchInput.self, from: r, fields: ServicePatchInput.fields)
        let current = try store.service(id, on: today())
        let s = current.service
        func fixed<T: Equatable>(_ sent: T?, _ now: T, _ field: String) throws {
            if let sent, sent != now { throw APIError.invalid(field, "cannot be changed on an existing service") }
        }
        try fixed(body.clientId, s.clientId, "clientId")
        try fixed(body.planId, s.planId, "planId")
        try fixed(body.billingPeriodMonths, s.billingPeriodMonths, "billingPeriodMonths")
        try fixed(try body.activeFrom.map { try APIBody.date($0, field: "activeFrom") }, s.activeFrom, "activeFrom")

        var patch = ServicePatch()
        if let activeTo = body.activeTo {
            patch.activeTo = .some(try activeTo.map { try APIBody.date($0, field: "activeTo") })
        }
        if let role = body.overrideRole {
            patch.overrideRole = try APIBody.choice(role, OverrideRole.self, field: "overrideRole")
        }
        if let price = body.price { patch.price = .some(price.map { Money($0) }) }
        if let type = body.invoicingType {
            patch.invoicingType = .some(
                try type.map { try APIBody.choice($0, InvoicingType.self, field: "invoicingType") })
        }
        patch.addresses = body.addresses
        let isEmpty =
            patch.activeTo == nil && patch.overrideRole == nil && patch.price == nil
            && patch.invoicingType == nil && patch.addresses == nil
        guard !isEmpty else { return JSON.response(ServiceJSON(current)) }
        let saved = try store.updateService(id, patch, on: today())
        refresh(clientId: s.clientId)
        return JSON.response(ServiceJSON(saved))
    }

    /// Suspends a service by hand from today; its addresses enter the walled garden before
    /// this returns.
    func suspend(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(ReasonInput.self, from: r, fields: ReasonInput.fields)
        let delta = try store.suspend(serviceId: id, on: today(), reason: body.reason)
        context.walledGarden.apply(delta)
        return JSON.response(ServiceJSON(try store.service(id, on: today())))
    }

    /// Ends the service's suspensions today. A client that still owes is suspended again by the
    /// next daily run.
    func release(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(ReasonInput.self, from: r, fields: ReasonInput.fields)
        let delta = try store.release(serviceId: id, on: today(), reason: body.reason)
        context.walledGarden.apply(delta)
        return JSON.response(ServiceJSON(try store.service(id, on: today())))
    }
}
