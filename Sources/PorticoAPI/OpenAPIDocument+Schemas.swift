import Foundation
import PorticoCore
import PorticoWebSupport

extension OpenAPIDocument {
    /// How far ahead an effective date, and how far back a service's start, may be (`DateLimits`).
    static let aheadLimit = "at most \(DateLimits.maxDaysAhead) days after it"
    static let backLimit = "at most ten years (\(DateLimits.maxDaysBack) days) before today"

    /// Every request and response shape of SPEC §12. One schema serves a resource's request and
    /// response: derived fields are `readOnly` (ignored on input), and `required` lists what a
    /// request must carry.
    static var schemas: [String: Any] {
        [
            "Money": [
                "type": "integer", "format": "int64", "description": "An amount in the currency's minor units (cents).",
            ],
            "Date": [
                "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                "description": "A calendar date in the installation's time zone.",
            ],
            "Error": object(
                [
                    "error": object(
                        [
                            "code": string([
                                "bad_request", "unauthorized", "not_found", "method_not_allowed",
                                "conflict", "invalid", "internal",
                            ]),
                            "message": described(string(), "What is wrong, naming the field."),
                        ],
                        required: ["code", "message"])
                ],
                required: ["error"]),
            "Plan": object(
                [
                    "id": readOnly(id),
                    "name": nonBlank,
                    "monthlyPrice": described(money, "Price of one month; must not be negative."),
                    "billingPeriods": described(
                        ["type": "array", "items": integer(1, 24), "default": [1], "uniqueItems": true],
                        "Billing periods (months) the plan allows; the first is the default for its services."),
                    "periodPrices": described(
                        ["type": "object", "propertyNames": ["pattern": "^[0-9]+$"], "additionalProperties": money],
                        "Price of a whole period, by its number of months (e.g. {\"3\": 8500}); otherwise months × monthlyPrice."
                    ),
                    "overrideRole": described(role, "Default role of its services (default secondary)."),
                ], required: ["name", "monthlyPrice"]),
            "Client": object(
                [
                    "id": readOnly(id),
                    "name": nonBlank,
                    "email": string(),
                    "useCreditAutomatically": described(
                        nullable(boolean), "null: the installation's `invoicing.useCreditAutomatically` applies."),
                    "credit": readOnly(money),
                    "balanceDue": readOnly(money),
                ], required: ["name"]),
            "Term": object(
                [
                    "start": date,
                    "end": described(nullable(date), "The term's last covered day (inclusive); null while it is open."),
                ], required: ["start", "end"]),
            "Service": object(serviceProperties, required: ["clientId", "planId", "activeFrom"]),
            "ServiceDraft": object(
                serviceProperties.merging(["id": readOnly(draftId)]) { $1 },
                required: ["clientId", "planId", "activeFrom"],
                description: "The service a preview says would be created: id 0, nothing stored."),
            "ServicePatch": object(
                [
                    "activeTo": serviceProperties["activeTo"]!,
                    "overrideRole": role,
                    "price": serviceProperties["price"]!,
                    "invoicingType": serviceProperties["invoicingType"]!,
                    "addresses": serviceProperties["addresses"]!,
                    "clientId": described(id, "Cannot change: accepted only with the current value."),
                    "planId": described(id, "Cannot change: accepted only with the current value."),
                    "billingPeriodMonths": described(
                        integer(1, 24), "Cannot change: accepted only with the current value."),
                    "activeFrom": described(date, "Cannot change: accepted only with the current value."),
                ], description: "Absent fields are left alone."),
            "DocumentLine": documentLine(serviceId: id),
            // A preview's lines for the primary it would create show service id 0.
            "DocumentLineDraft": documentLine(
                serviceId: described(draftId, "0: the service the preview would create.")),
            "Document": object(
                [
                    "id": id,
                    "kind": string(["invoice", "creditNote"]),
                    "number": string(),
                    "clientId": id,
                    "issuedOn": date,
                    "dueOn": date,
                    "total": described(money, "Positive on both kinds."),
                    "amountPaid": money,
                    "status": string(["unpaid", "partial", "paid", "void"]),
                    "corrects": described(nullable(id), "The invoice a credit note corrects."),
                    "lines": array(ref("DocumentLine")),
                ],
                required: [
                    "id", "kind", "number", "clientId", "issuedOn", "dueOn", "total", "amountPaid", "status",
                    "corrects", "lines",
                ]),
            "DocumentDraft": object(
                [
                    "kind": string(["invoice", "creditNote"]),
                    "clientId": id,
                    "issuedOn": date,
                    "dueOn": date,
                    "total": money,
                    "lines": array(ref("DocumentLineDraft")),
                ], required: ["kind", "clientId", "issuedOn", "dueOn", "total", "lines"],
                description: "A document a preview says would be issued (no id or number yet)."),
            "Payment": object(
                [
                    "id": readOnly(id),
                    "clientId": id,
                    "amount": described(money, "Greater than zero."),
                    "receivedOn": described(
                        date, "Default today, \(aheadLimit); the documents it settles are dated on it."),
                    "method": described(nonBlank, "How it was paid (cash, transfer, …); not empty."),
                    "reference": string(),
                    "applied": readOnly(
                        array(
                            object(
                                ["documentId": id, "amount": money],
                                required: ["documentId", "amount"]))),
                    "creditAdded": readOnly(
                        described(money, "What was left after the unpaid invoices: the client's credit.")),
                ], required: ["clientId", "amount", "method"]),
            "Settings": object(
                [
                    "invoicing": object(
                        [
                            "defaultType": string(["forward", "backward"]),
                            "createDaysInAdvance": integer(0, 366),
                            "dueDays": integer(0, 366),
                            "useCreditAutomatically": boolean,
                        ]),
                    "suspension": object(
                        [
                            "enabled": boolean,
                            "delayDays": integer(0, 366),
                            "minimumUnpaidAmount": money,
                            "stopInvoicing": boolean,
                            "allowPostpone": boolean,
                            "postponeDays": integer(1, 60),
                        ]),
                    "reactivation": object(
                        [
                            "enabled": boolean,
                            "monthChoices": [
                                "type": "array", "items": integer(1, 24), "minItems": 1, "uniqueItems": true,
                            ],
                        ]),
                    "vacationHold": object(["defaultMonths": integer(1, 24)]),
                    "billing": object(
                        [
                            "runAt": described(
                                ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"], "Local time HH:MM."),
                            "timeZone": described(string(), "IANA time zone name."),
                            "currency": described(string(), "ISO 4217 code."),
                        ]),
                ], description: "Every setting of the installation by group; a PATCH carries only those it changes."),
            "BillingRunRequest": object(["date": described(date, "Last date to run; default today, \(aheadLimit).")]),
            "BillingRunReport": object(
                [
                    "dates": described(array(date), "The dates this call ran (dates already run are skipped)."),
                    "clientsStepped": integer(0),
                    "documentsIssued": integer(0),
                    "walledGarden": ref("WalledGardenChange"),
                ], required: ["dates", "clientsStepped", "documentsIssued", "walledGarden"]),
            "WalledGardenChange": object(
                ["suspended": array(string()), "released": array(string())], required: ["suspended", "released"]),
            "VacationHoldRequest": object(
                [
                    "planId": described(id, "The vacation plan of the primary service."),
                    "from": described(date, "First day of the hold; default today, \(aheadLimit)."),
                    "months": described(integer(1, 24), "Length of the hold; default `vacationHold.defaultMonths`."),
                ], required: ["planId"]),
            "VacationHoldEndRequest": object([
                "on": described(date, "The first day the hold no longer covers; default today, \(aheadLimit).")
            ]),
            "VacationHold": object(
                ["primary": ref("Service"), "documents": array(ref("Document"))], required: ["primary", "documents"]),
            "VacationHoldPreview": object(
                ["primary": ref("ServiceDraft"), "documents": array(ref("DocumentDraft"))],
                required: ["primary", "documents"]),
            "ReasonRequest": object(
                ["reason": described(nonBlank, "Why; recorded in the audit log. Not empty.")],
                required: ["reason"]),
            "WalledGarden": object(
                [
                    "addresses": described(array(string()), "Stopped IPv4/IPv6 addresses and prefixes, sorted."),
                    "count": integer(0),
                ],
                required: ["addresses", "count"]),
        ]
    }

    static func documentLine(serviceId: [String: Any]) -> [String: Any] {
        object(
            [
                "serviceId": serviceId,
                "description": string(),
                "from": date,
                "to": described(date, "Last day covered (inclusive)."),
                "amount": described(money, "Positive on both kinds: what the line charges or gives back."),
            ], required: ["serviceId", "description", "from", "to", "amount"])
    }

    /// An id in a preview: 0 for what is not created yet.
    static var draftId: [String: Any] { ["type": "integer", "format": "int64", "minimum": 0] }

    static var serviceProperties: [String: Any] {
        [
            "id": readOnly(id),
            "clientId": id,
            "planId": id,
            "price": described(nullable(money), "Monthly price in effect; on input, null or absent means the plan's."),
            "billingPeriodMonths": described(integer(1, 24), "One the plan allows; default the plan's first."),
            "invoicingType": described(
                nullable(string(["forward", "backward"])),
                "null: the installation's `invoicing.defaultType`."),
            "activeFrom": described(date, "First day of the first term; \(backLimit)."),
            "activeTo": described(nullable(date), "Last day of the last term (inclusive); null while it is open."),
            "overrideRole": described(role, "Default: the plan's."),
            "addresses": described(
                array(string()), "IPv4 addresses or prefixes and IPv6 prefixes; none may overlap another service's."),
            "status": readOnly(
                described(string(["pending", "active", "suspended", "ended", "overridden"]), "Status today.")),
            "terms": readOnly(described(array(ref("Term")), "The service's terms, oldest first.")),
        ]
    }
}
