import PorticoCore
import PorticoStore

/// Renders the outbox's messages from `templates/email/` (a plain-text and an HTML body each).
/// The app's wiring installs it on the store (`PorticoServer`), so every change made through the
/// server queues its message in the transaction that makes it.
public struct EmailComposer: MessageComposer {
    let templates: Templates
    let branding: Branding

    public init(templates: Templates, branding: Branding) {
        self.templates = templates
        self.branding = branding
    }

    public func compose(_ event: OutboxEvent) -> ComposedMessage {
        let currency = Currency.named(event.settings.billing.currency) ?? .usd
        var ctx: [String: Any] = [
            "ispName": branding.ispName, "contact": branding.contact, "portalURL": branding.portalURL + "/",
            "clientName": event.client.name, "date": event.date.description,
        ]
        let subject: String
        let template: String
        switch event.kind {
        case .document(let doc, let corrects):
            let isInvoice = doc.kind == .invoice
            let label = isInvoice ? "Invoice" : "Credit note"
            subject = "\(label) \(doc.number) from \(branding.ispName)"
            template = "document"
            ctx["label"] = label
            ctx["isInvoice"] = isInvoice
            ctx["number"] = doc.number
            ctx["issuedOn"] = doc.issuedOn.description
            ctx["dueOn"] = doc.dueOn.description
            ctx["corrects"] = corrects ?? ""
            ctx["total"] = currency.format(doc.total)
            ctx["unpaid"] = isInvoice && doc.amountPaid < doc.total ? currency.format(doc.total - doc.amountPaid) : ""
            ctx["paid"] = isInvoice && doc.total > .zero && doc.amountPaid >= doc.total
            ctx["lines"] = doc.lines.map { line -> [String: Any] in
                [
                    "description": line.description, "from": line.range.start.description,
                    "to": line.range.lastDay.description, "amount": currency.format(line.amount),
                ]
            }
        case .suspended(let services, let reason):
            subject = "Your service with \(branding.ispName) is suspended"
            template = "status"
            ctx["headline"] = "Your service is suspended from \(event.date)."
            ctx["reason"] = reason
            ctx["services"] = Self.services(services)
            ctx["action"] = "To restore it, pay the overdue invoices on our portal:"
        case .released(let services, let reason):
            subject = "Your service with \(branding.ispName) is back online"
            template = "status"
            ctx["headline"] = "Your service is back online from \(event.date)."
            ctx["reason"] = reason
            ctx["services"] = Self.services(services)
        case .reactivated(let services):
            subject = "Your service with \(branding.ispName) is reactivated"
            template = "status"
            let until = services.compactMap(\.activeTo).max()
            ctx["headline"] = "Your service is reactivated from \(event.date)" + (until.map { " until \($0)." } ?? ".")
            ctx["services"] = Self.services(services)
        }
        ctx["subject"] = subject
        return ComposedMessage(
            subject: subject, text: templates.render("email/\(template).text", ctx),
            html: templates.render("email/\(template).html", ctx))
    }

    static func services(_ services: [Service]) -> [[String: Any]] {
        services.map { ["plan": $0.planName, "addresses": $0.addresses.map(\.description).joined(separator: ", ")] }
    }
}
