import Crypto
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// The vacation-hold toggle (SPEC §7): Activate and Deactivate each open a review of exactly
// the documents the store's preview says the action will issue; Submit carries it out only if
// the documents are still those reviewed.
extension AdminUI {
    struct HoldRequest {
        var serviceId: Int64
        var planId: Int64
        var from: LocalDate
        var months: Int
    }

    func holdRequest(_ r: AdminRequest) throws -> HoldRequest {
        HoldRequest(
            serviceId: try r.id("service"), planId: try parseId(r.field("planId"), field: "planId"),
            from: try effectiveDate(r.field("from"), field: "from"),
            months: r.field("months").isEmpty
                ? store.settings.vacationHold.defaultMonths
                : try parseInt(r.field("months"), field: "months", in: 1...24))
    }

    func reviewHold(_ r: AdminRequest) throws -> HTTPResponse {
        let h = try holdRequest(r)
        let preview = try store.previewHold(secondaryId: h.serviceId, planId: h.planId, from: h.from, months: h.months)
        return holdReview(r, preview, activate: true, hold: h)
    }

    func activateHold(_ r: AdminRequest) throws -> HTTPResponse {
        let h = try holdRequest(r)
        let preview = try store.previewHold(secondaryId: h.serviceId, planId: h.planId, from: h.from, months: h.months)
        guard Self.fingerprint(preview.documents) == r.field("fingerprint") else {
            return holdReview(r, preview, activate: true, hold: h, changed: true)
        }
        let clientId = preview.primary.service.clientId
        let queued = try store.outboxMessages(clientId: clientId, limit: 1).first?.id ?? 0
        let result = try store.activateHold(secondaryId: h.serviceId, planId: h.planId, from: h.from, months: h.months)
        context.walledGarden.apply(result.delta)
        try context.walledGarden.refresh(clientId: clientId)
        return try holdDone(
            r, result, clientId: clientId, queuedAfter: queued,
            what: "Vacation hold on \(result.primary.service.planName) from \(h.from)")
    }

    func reviewHoldEnd(_ r: AdminRequest) throws -> HTTPResponse {
        let primaryId = try r.id("service")
        let on = try endDate(r)
        let preview = try store.previewEndHold(primaryId: primaryId, on: on)
        return holdReview(r, preview, activate: false, hold: nil, endOn: on)
    }

    func endHold(_ r: AdminRequest) throws -> HTTPResponse {
        let primaryId = try r.id("service")
        let on = try endDate(r)
        let preview = try store.previewEndHold(primaryId: primaryId, on: on)
        guard Self.fingerprint(preview.documents) == r.field("fingerprint") else {
            return holdReview(r, preview, activate: false, hold: nil, endOn: on, changed: true)
        }
        let clientId = preview.primary.service.clientId
        let queued = try store.outboxMessages(clientId: clientId, limit: 1).first?.id ?? 0
        let result = try store.endHold(primaryId: primaryId, on: on)
        context.walledGarden.apply(result.delta)
        try context.walledGarden.refresh(clientId: clientId)
        return try holdDone(r, result, clientId: clientId, queuedAfter: queued, what: "Vacation hold ended on \(on)")
    }

    func endDate(_ r: AdminRequest) throws -> LocalDate {
        try effectiveDate(r.field("on"), field: "on")
    }

    /// The review: each document the action will issue, its lines and total, and a form that
    /// carries the request and a fingerprint of these documents to Submit.
    func holdReview(
        _ r: AdminRequest, _ preview: HoldResult, activate: Bool, hold: HoldRequest?,
        endOn: LocalDate? = nil, changed: Bool = false
    ) -> HTTPResponse {
        let clientId = preview.primary.service.clientId
        let today = context.clock.today()
        var names: [Int64: String] = [:]
        for s in (try? store.services(clientId: clientId, on: today)) ?? [] { names[s.id] = s.service.planName }
        let client = (try? store.client(clientId))?.name ?? ""
        let documents = preview.documents.map { d -> [String: Any] in
            [
                "kind": d.kind == .invoice ? "Invoice" : "Credit note", "kindKey": d.kind.rawValue,
                "issuedOn": d.issuedOn.description, "dueOn": d.dueOn.description, "total": money(d.total),
                "isInvoice": d.kind == .invoice,
                "lines": d.lines.map { l -> [String: Any] in
                    [
                        "service": names[l.serviceId].map { "\($0) (service \(l.serviceId))" }
                            ?? "\(preview.primary.service.planName) (new vacation service)",
                        "description": l.description, "from": l.range.start.description,
                        "to": l.range.lastDay.description, "amount": money(l.amount < .zero ? -l.amount : l.amount),
                    ]
                },
            ]
        }
        let term = preview.primary.service.terms.last
        var values: [String: Any] = [
            "activate": activate, "clientId": clientId, "clientName": client, "documents": documents,
            "none": documents.isEmpty, "changed": changed, "fingerprint": Self.fingerprint(preview.documents),
            "plan": preview.primary.service.planName,
            "holdFrom": term?.start.description ?? "",
            "holdTo": term?.end.map { $0.adding(days: -1).description } ?? "open",
            "action": activate ? "/services/\(hold!.serviceId)/hold" : "/services/\(preview.primary.id)/hold/end",
        ]
        if let hold {
            values["planId"] = hold.planId
            values["from"] = hold.from.description
            values["months"] = hold.months
        }
        if let endOn { values["on"] = endOn.description }
        return page(
            "hold-review", title: activate ? "Review the vacation hold" : "Review the end of the hold",
            section: "clients", r, values, status: changed ? 409 : 200)
    }

    func holdDone(_ r: AdminRequest, _ result: HoldResult, clientId: Int64, queuedAfter: Int64, what: String) throws
        -> HTTPResponse
    {
        let issued = try result.documentIds.map { try store.document($0) }
            .map { "\($0.number) (\(money($0.total)))" }
        let queued = try store.outboxMessages(clientId: clientId, limit: 100).filter { $0.id > queuedAfter }.count
        let text =
            "\(what): issued \(issued.isEmpty ? "no documents" : issued.joined(separator: ", ")); \(queued) email(s) queued."
        return HTTPResponse.redirect(to: "/clients/\(clientId)", status: 303)
            .settingCookie(Flash(kind: .ok, text: text).cookie)
    }

    /// What the review showed, so Submit can tell whether the documents would still be the same.
    static func fingerprint(_ documents: [DocumentDraft]) -> String {
        var text = ""
        for d in documents {
            text += "\(d.kind.rawValue)|\(d.issuedOn)|\(d.dueOn)|\(d.total.minorUnits)"
            for l in d.lines { text += "|\(l.description)|\(l.range.start)|\(l.range.end)|\(l.amount.minorUnits)" }
            text += ";"
        }
        return hexString(SHA256.hash(data: Array(text.utf8)).prefix(16))
    }
}
