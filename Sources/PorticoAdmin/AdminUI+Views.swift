import PorticoCore
import PorticoStore
import PorticoWebSupport

// Reading form fields (errors name the field) and turning records into template values.
extension AdminUI {
    var currency: Currency { Currency.named(store.settings.billing.currency) ?? .usd }

    func money(_ m: Money) -> String { currency.format(m) }

    /// `52.70` → 5270 minor units (the currency's digits); at most that many decimals.
    func parseMoney(_ text: String, field: String) throws -> Money {
        let t = text.replacingOccurrences(of: " ", with: "")
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        let digits = currency.minorDigits
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
            let whole = Int64(parts[0]), whole >= 0, whole < 1_000_000_000,
            parts.count == 1 || (parts[1].count <= digits && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber))
        else {
            throw AdminInputError(
                field, "'\(text)' is not an amount like \(currency.format(Money(1234)).split(separator: " ")[0])")
        }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        var minor = whole * scale
        if parts.count == 2 {
            let frac = String(parts[1]) + String(repeating: "0", count: digits - parts[1].count)
            minor += Int64(frac) ?? 0
        }
        return Money(minor)
    }

    func parseDate(_ text: String, field: String) throws -> LocalDate {
        do { return try LocalDate(text) } catch { throw AdminInputError(field, "'\(text)' is not a date YYYY-MM-DD") }
    }

    func optionalDate(_ text: String, field: String) throws -> LocalDate? {
        text.isEmpty ? nil : try parseDate(text, field: field)
    }

    /// An action's effective date (a payment's `receivedOn`, a hold's `from` or `on`, the billing
    /// run's `date`): blank is today; else at most `DateLimits.maxDaysAhead` days after it, as in
    /// the API.
    func effectiveDate(_ text: String, field: String) throws -> LocalDate {
        let today = context.clock.today()
        guard !text.isEmpty else { return today }
        return try DateLimits.effectiveDate(parseDate(text, field: field), field: field, today: today)
    }

    /// A new service's `activeFrom`: at most `DateLimits.maxDaysBack` days before today, as in the API.
    func startDate(_ text: String, field: String) throws -> LocalDate {
        try DateLimits.startDate(parseDate(text, field: field), field: field, today: context.clock.today())
    }

    func parseInt(_ text: String, field: String, in range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw AdminInputError(field, "'\(text)' is not a whole number \(range.lowerBound)–\(range.upperBound)")
        }
        return n
    }

    func parseId(_ text: String, field: String) throws -> Int64 {
        guard let n = Int64(text), n > 0 else { throw AdminInputError(field, "choose one") }
        return n
    }

    func choice<T: RawRepresentable>(_ text: String, _: T.Type, field: String) throws -> T where T.RawValue == String {
        guard let v = T(rawValue: text) else { throw AdminInputError(field, "'\(text)' is not one of the choices") }
        return v
    }

    /// Addresses separated by spaces, commas or new lines.
    func addressList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    // MARK: Values for templates

    static func statusLabel(_ s: ServiceStatus) -> String { s == .overridden ? "on hold" : s.rawValue }

    func serviceValues(_ r: ServiceRecord) -> [String: Any] {
        let s = r.service
        return [
            "id": s.id, "clientId": s.clientId, "plan": s.planName, "planId": s.planId,
            "status": Self.statusLabel(r.status), "statusClass": r.status.rawValue,
            "role": s.overrideRole.rawValue, "isSecondary": s.overrideRole == .secondary,
            "isPrimary": s.overrideRole == .primary,
            "addresses": s.addresses.map(\.description).joined(separator: ", "),
            "addressList": s.addresses.map(\.description).joined(separator: "\n"),
            "activeFrom": s.activeFrom?.description ?? "", "activeTo": s.activeTo?.description ?? "",
            "price": money(s.monthlyPrice), "ownPrice": r.customPrice.map { money($0) } ?? "",
            "priceInput": r.customPrice.map { amountInput($0) } ?? "",
            "period": s.billingPeriodMonths, "invoicingType": s.invoicingType?.rawValue ?? "",
            "isForward": s.invoicingType == .forward, "isBackward": s.invoicingType == .backward,
            "terms": s.terms.map { t -> [String: Any] in
                [
                    "start": t.start.description, "end": t.end.map { $0.adding(days: -1).description } ?? "open",
                    "anchor": t.anchor.description, "period": t.periodMonths, "prepaid": t.prepaid,
                ]
            },
        ]
    }

    /// `5270` → `52.70` (for a form field).
    func amountInput(_ m: Money) -> String {
        String(currency.format(m).split(separator: " ")[0])
    }

    func documentValues(_ d: DocumentRecord, clientName: String? = nil) -> [String: Any] {
        [
            "id": d.id, "number": d.number, "isInvoice": d.kind == .invoice,
            "kind": d.kind == .invoice ? "Invoice" : "Credit note", "clientId": d.clientId,
            "clientName": clientName ?? "", "issuedOn": d.issuedOn.description, "dueOn": d.dueOn.description,
            "total": money(d.total), "paid": money(d.amountPaid), "status": d.status.rawValue,
            "lines": d.lines.map { l -> [String: Any] in
                [
                    "serviceId": l.serviceId, "description": l.description, "from": l.range.start.description,
                    "to": l.range.lastDay.description, "amount": money(l.amount),
                ]
            },
        ]
    }

    func paymentValues(_ p: PaymentRecord, clientName: String? = nil) -> [String: Any] {
        [
            "id": p.id, "clientId": p.clientId, "clientName": clientName ?? "", "amount": money(p.amount),
            "receivedOn": p.receivedOn.description, "method": p.method, "reference": p.reference,
            "creditAdded": money(p.creditAdded), "applied": p.applied.count,
        ]
    }

    func auditValues(_ a: AuditEntry) -> [String: Any] {
        [
            "date": a.date.description, "clientId": a.clientId ?? 0, "hasClient": a.clientId != nil,
            "clientName": a.clientName ?? "", "serviceId": a.serviceId ?? 0, "hasService": a.serviceId != nil,
            "event": a.event, "from": a.from ?? "", "to": a.to ?? "", "hasChange": a.from != nil || a.to != nil,
            "reason": a.reason,
        ]
    }

    func outboxValues(_ m: OutboxMessage) -> [String: Any] {
        [
            "id": m.id, "clientId": m.clientId ?? 0, "hasClient": m.clientId != nil, "recipient": m.recipient,
            "subject": m.subject, "kind": m.kind, "createdOn": m.createdOn.description, "status": m.status,
            "attempts": m.attempts, "lastError": m.lastError,
        ]
    }

    /// Names of clients by id, for lists that span clients.
    func clientNames(_ ids: some Sequence<Int64>) -> [Int64: String] {
        var out: [Int64: String] = [:]
        for id in Set(ids) { out[id] = (try? store.client(id))?.name ?? "#\(id)" }
        return out
    }

    /// Previous / next page links for a list of `size` rows per page.
    func pager(_ r: AdminRequest, count: Int, size: Int, base: String) -> [String: Any] {
        let page = r.pageNumber
        let join = base.contains("?") ? "&" : "?"
        var out: [String: Any] = ["page": page]
        if page > 1 { out["previous"] = base + join + "page=\(page - 1)" }
        if count == size { out["next"] = base + join + "page=\(page + 1)" }
        return out
    }
}
