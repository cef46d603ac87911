import Crypto
import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Payments, the billing run, vacation holds and the walled garden.
extension APIHandlers {
    /// Records a payment (applied oldest due first, the rest is credit); a client it releases
    /// leaves the walled garden in this request.
    func createPayment(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(PaymentInput.self, from: r, fields: PaymentInput.fields)
        guard body.amount > 0 else { throw BillingError.amountNotPositive(field: "amount") }
        let receivedOn = try APIBody.effectiveDate(body.receivedOn, field: "receivedOn", today: today())
        let result = try store.recordPayment(
            clientId: body.clientId, amount: Money(body.amount), receivedOn: receivedOn,
            method: body.method, reference: body.reference ?? "")
        context.walledGarden.apply(result.delta)
        return created(PaymentJSON(result.payment), at: "/payments/\(result.payment.id)")
    }

    /// The daily run for every date not yet run, through `date` (default today, at most
    /// `DateLimits.maxDaysAhead` after it).
    func runBilling(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(BillingRunInput.self, from: r, fields: BillingRunInput.fields)
        let through = try APIBody.effectiveDate(body.date, field: "date", today: today())
        let report = try store.runBilling(through: through)
        context.walledGarden.apply(report.delta)
        return JSON.response(BillingRunJSON(report))
    }

    /// Exactly the documents `POST …/vacation-hold` would issue, without writing anything. The
    /// primary it would create, and its lines, show service id 0.
    func previewHold(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(HoldInput.self, from: r, fields: HoldInput.fields)
        let from = try APIBody.effectiveDate(body.from, field: "from", today: today())
        let result = try store.previewHold(secondaryId: id, planId: body.planId, from: from, months: body.months)
        let existing = Set(try store.services(clientId: result.primary.service.clientId, on: from).map(\.id))
        return JSON.response(
            HoldPreviewJSON(
                primary: ServiceJSON(result.primary),
                documents: result.documents.map { DocumentDraftJSON($0) { existing.contains($0) ? $0 : 0 } }))
    }

    /// Activates a hold on the secondary service `{id}`: creates the primary and issues, dated
    /// `from`, the credit note and the prorated charge.
    func activateHold(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(HoldInput.self, from: r, fields: HoldInput.fields)
        let from = try APIBody.effectiveDate(body.from, field: "from", today: today())
        let result = try store.activateHold(secondaryId: id, planId: body.planId, from: from, months: body.months)
        context.walledGarden.apply(result.delta)
        refresh(clientId: result.primary.service.clientId)
        return created(try holdJSON(result), at: "/services/\(result.primary.id)")
    }

    /// Ends a hold early on `on` (default today). `{id}` is the primary, or a secondary whose
    /// client has a primary covering `on`.
    func endHold(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "service")
        let body = try APIBody.decode(HoldEndInput.self, from: r, fields: HoldEndInput.fields)
        let on = try APIBody.effectiveDate(body.on, field: "on", today: today())
        let service = try store.service(id, on: on).service
        let primaryId: Int64
        switch service.overrideRole {
        case .primary:
            primaryId = id
        case .secondary:
            let primary = try store.services(clientId: service.clientId, on: on).first {
                $0.service.overrideRole == .primary && $0.service.term(covering: on) != nil
            }
            guard let primary else { throw APIError.conflict("service \(id) has no vacation hold on \(on)") }
            primaryId = primary.id
        case .none:
            throw APIError.conflict("service \(id) has role none and takes no part in vacation holds")
        }
        let result = try store.endHold(primaryId: primaryId, on: on)
        context.walledGarden.apply(result.delta)
        refresh(clientId: service.clientId)
        return JSON.response(try holdJSON(result))
    }

    func holdJSON(_ result: HoldResult) throws -> HoldJSON {
        HoldJSON(
            primary: ServiceJSON(result.primary),
            documents: try result.documentIds.map { DocumentJSON(try store.document($0)) })
    }

    /// The stopped addresses, sorted, for routers that keep their own lists. A strong ETag over
    /// the body lets them poll cheaply with `If-None-Match`.
    func walledGarden(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let addresses = try store.stoppedAddresses().sorted().map(\.description)
        var response = JSON.response(WalledGardenJSON(addresses: addresses, count: addresses.count))
        let tag = "\"" + hexString(SHA256.hash(data: response.body).prefix(16)) + "\""
        if let match = r.headers["If-None-Match"], Self.etag(tag, matches: match) {
            response = HTTPResponse(status: 304)
        }
        response.addHeader("ETag", tag)
        response.addHeader("Cache-Control", "no-cache")
        return response
    }

    /// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored; `*` matches.
    static func etag(_ tag: String, matches header: String) -> Bool {
        header.split(separator: ",").contains { item in
            var t = item.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("W/") { t = String(t.dropFirst(2)) }
            return t == "*" || t == tag
        }
    }
}
