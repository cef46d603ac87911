import Foundation
import PorticoCore
import PorticoWebSupport

/// The OpenAPI 3.1 description of the admin API, served at `/api/v1/openapi.json`. Built here
/// rather than kept as a file so the binary serves it with no installed data; a test checks
/// that it describes exactly the routes `AdminAPI` serves.
enum OpenAPIDocument {
    /// The document as pretty-printed JSON with sorted keys (stable bytes).
    static let bytes: [UInt8] = {
        let data = try? JSONSerialization.data(
            withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return data.map { [UInt8]($0) } ?? Array("{}".utf8)
    }()

    static var document: [String: Any] {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Portico admin API",
                "version": "1.0.0",
                "description": """
                Plans, clients, services, documents, payments, billing runs, vacation holds, \
                suspensions and the walled garden of a Portico installation. Amounts are integers \
                in the currency's minor units; dates are `YYYY-MM-DD` in the installation's time zone. \
                Ranges are shown inclusive: a line's `to`, a term's `end` and a service's `activeTo` \
                are the last day covered. Request bodies are JSON objects; a key the resource does \
                not have is refused (422), derived fields (`id`, `status`, `credit`, …) are ignored, \
                and nothing is changed by a request that fails.
                """,
            ],
            "servers": [["url": AdminAPI.prefix]],
            "security": [["bearerAuth": [String]()]],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearerAuth": [
                        "type": "http", "scheme": "bearer",
                        "description": "A token made by `portico api-token create` (`ptk_…`).",
                    ]
                ],
                "schemas": schemas,
                "responses": errorResponses,
            ],
        ]
    }

    // MARK: Paths

    static var paths: [String: Any] {
        var out: [String: [String: Any]] = [:]
        func add(_ method: String, _ path: String, _ operation: [String: Any]) {
            var item = out[path] ?? [:]
            if path.contains("{id}") && item["parameters"] == nil {
                item["parameters"] = [
                    [
                        "name": "id", "in": "path", "required": true,
                        "schema": ["type": "integer", "format": "int64", "minimum": 1],
                    ]
                ]
            }
            item[method.lowercased()] = operation
            out[path] = item
        }
        add("GET", "/settings", op("getSettings", "Every setting, by group", ok: ref("Settings")))
        add(
            "PATCH", "/settings",
            op(
                "patchSettings", "Change some settings",
                description: """
                    A partial object of the same shape. Every value is checked first; on any error (naming the \
                    setting, e.g. `suspension.delayDays`) nothing is saved. Returns every setting.
                    """,
                body: ref("Settings"), ok: ref("Settings"), errors: [400, 422]))
        add("GET", "/plans", op("listPlans", "Every plan", ok: array(ref("Plan"))))
        add(
            "POST", "/plans",
            op(
                "createPlan", "Create a plan", body: ref("Plan"), status: 201, ok: ref("Plan"), errors: [400, 422]))
        add("GET", "/plans/{id}", op("getPlan", "One plan", ok: ref("Plan"), errors: [404]))
        add("GET", "/clients", op("listClients", "Every client", ok: array(ref("Client"))))
        add(
            "POST", "/clients",
            op(
                "createClient", "Create a client", body: ref("Client"), status: 201, ok: ref("Client"),
                errors: [400, 422]))
        add(
            "GET", "/clients/{id}",
            op(
                "getClient", "One client, with credit and balance due", ok: ref("Client"),
                errors: [404]))
        add(
            "GET", "/clients/{id}/documents",
            op(
                "listClientDocuments", "The client's invoices and credit notes with their lines, in issue order",
                ok: array(ref("Document")), errors: [404]))
        add(
            "GET", "/clients/{id}/services",
            op(
                "listClientServices", "The client's services with their status today", ok: array(ref("Service")),
                errors: [404]))
        add(
            "POST", "/services",
            op(
                "createService", "Create a service",
                description: """
                    Its first term runs from `activeFrom` to `activeTo` (inclusive, open when null). Unset fields \
                    come from the plan. The next billing run bills it from `activeFrom`. An unknown client or plan \
                    is a 404; a period the plan does not allow a 422; an address overlapping another service's a \
                    409.
                    """,
                body: ref("Service"), status: 201, ok: ref("Service"), errors: [400, 404, 409, 422]))
        add(
            "GET", "/services/{id}",
            op(
                "getService", "One service with its status today and its terms",
                ok: ref("Service"), errors: [404]))
        add(
            "PATCH", "/services/{id}",
            op(
                "patchService", "Change a service",
                description: """
                    Changes `activeTo` (of the last term; null opens it), `overrideRole`, `price` (null: the \
                    plan's), `invoicingType` (null: the installation's) or `addresses`. `clientId`, `planId`, \
                    `billingPeriodMonths` and `activeFrom` cannot change and are accepted only with their current \
                    value. The next daily run bills the difference.
                    """,
                body: ref("ServicePatch"), ok: ref("Service"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/services/{id}/vacation-hold/preview",
            op(
                "previewVacationHold", "The documents a vacation hold would issue, writing nothing",
                description: """
                    Exactly what `POST /services/{id}/vacation-hold` with the same body would issue. The primary \
                    service it would create has id 0, and so do its lines' `serviceId`.
                    """,
                body: ref("VacationHoldRequest"), ok: ref("VacationHoldPreview"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/services/{id}/vacation-hold",
            op(
                "activateVacationHold", "Put a secondary service on vacation hold",
                description: """
                    Creates a primary service on `planId` for `months` (default `vacationHold.defaultMonths`) from \
                    `from` (default today) and at once issues, dated `from`, the credit note for the secondary's \
                    days inside the hold and the prorated invoice for the primary.
                    """,
                body: ref("VacationHoldRequest"), status: 201, ok: ref("VacationHold"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/services/{id}/vacation-hold/end",
            op(
                "endVacationHold", "End a vacation hold early",
                description: """
                    `{id}` is the primary, or a secondary whose client has a primary covering `on` (default \
                    today). The primary's term ends that day: its invoiced days after it are credited and the \
                    secondary is billed for the rest of the cycle.
                    """,
                body: ref("VacationHoldEndRequest"), ok: ref("VacationHold"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/services/{id}/suspend",
            op(
                "suspendService", "Suspend a service by hand from today",
                description: "Its addresses are in the walled garden when this returns.",
                body: ref("ReasonRequest"), ok: ref("Service"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/services/{id}/release",
            op(
                "releaseService", "End a service's suspensions today",
                description: "A client that still owes is suspended again by the next daily run.",
                body: ref("ReasonRequest"), ok: ref("Service"), errors: [400, 404, 409, 422]))
        add(
            "POST", "/payments",
            op(
                "createPayment", "Record a payment",
                description: """
                    Applied to the client's unpaid invoices, oldest due first; the rest becomes credit. Services \
                    it releases leave the walled garden before this returns.
                    """,
                body: ref("Payment"), status: 201, ok: ref("Payment"), errors: [400, 404, 422]))
        add(
            "POST", "/billing/run",
            op(
                "runBilling", "Run the daily billing job through a date",
                description: """
                    Runs every date after the last one run (the first run starts at the earliest service start) \
                    through `date` (default today, at most \(DateLimits.maxDaysAhead) days after today). Dates already run \
                    are skipped.
                    """,
                body: ref("BillingRunRequest"), ok: ref("BillingRunReport"), errors: [400, 409, 422]))
        var garden = op(
            "getWalledGarden", "The addresses in the walled garden",
            description: """
                Every stopped address or prefix, sorted, for routers that keep their own lists. Send the \
                `ETag` back in `If-None-Match` to get a 304 while nothing changed.
                """,
            ok: ref("WalledGarden"))
        garden["parameters"] = [
            [
                "name": "If-None-Match", "in": "header", "required": false, "schema": ["type": "string"],
            ]
        ]
        var responses = garden["responses"] as! [String: Any]
        var okResponse = responses["200"] as! [String: Any]
        okResponse["headers"] = [
            "ETag": ["schema": ["type": "string"], "description": "Strong entity tag of the body."]
        ]
        responses["200"] = okResponse
        responses["304"] = ["description": "Not modified: the list still has the tag sent in `If-None-Match`."]
        garden["responses"] = responses
        add("GET", "/walled-garden", garden)
        var document = op("getOpenAPI", "This document", ok: ["type": "object"], authenticated: false)
        document["security"] = [[String: Any]]()
        add("GET", "/openapi.json", document)
        return out
    }

    /// An operation: its request body, its success response, and the error responses it can give
    /// (401 on every authenticated one).
    static func op(
        _ id: String, _ summary: String, description: String? = nil, body: [String: Any]? = nil,
        status: Int = 200, ok: [String: Any], errors: [Int] = [], authenticated: Bool = true
    ) -> [String: Any] {
        var responses: [String: Any] = [
            String(status): ["description": status == 201 ? "Created" : "OK", "content": json(ok)]
        ]
        for code in (authenticated ? [401] : []) + errors {
            responses[String(code)] = ["$ref": "#/components/responses/\(errorNames[code]!)"]
        }
        var out: [String: Any] = ["operationId": id, "summary": summary, "responses": responses]
        if let description { out["description"] = description }
        if let body { out["requestBody"] = ["required": true, "content": json(body)] }
        return out
    }

    static let errorNames = [400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict", 422: "Invalid"]

    static var errorResponses: [String: Any] {
        func error(_ description: String) -> [String: Any] {
            ["description": description, "content": json(ref("Error"))]
        }
        var unauthorized = error("No token, a malformed `Authorization` header, or an unknown or revoked token.")
        unauthorized["headers"] = [
            "WWW-Authenticate": ["schema": ["type": "string"], "description": "`Bearer realm=\"portico\"`"]
        ]
        return [
            "BadRequest": error("The body is not JSON, or not a JSON object."),
            "Unauthorized": unauthorized,
            "NotFound": error("The resource in the path, or a client or plan the body names, does not exist."),
            "Conflict": error(
                """
                The request contradicts the current state: overlapping addresses, a backdated action, a \
                service that is not suspended, no vacation hold to end.
                """),
            "Invalid": error(
                """
                A field is missing, of the wrong type, or has a value that is not allowed; the message names \
                it (`amount`, `suspension.delayDays`, `addresses[1]`).
                """),
        ]
    }

    // MARK: Schema helpers

    static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func object(_ properties: [String: Any], required: [String] = [], description: String? = nil) -> [String:
        Any]
    {
        // Closed: the API refuses a key it does not know (APIFields), and answers with no other.
        var out: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        if !required.isEmpty { out["required"] = required }
        if let description { out["description"] = description }
        return out
    }
    static func described(_ schema: [String: Any], _ description: String) -> [String: Any] {
        var s = schema
        s["description"] = description
        return s
    }
    static func readOnly(_ schema: [String: Any]) -> [String: Any] {
        var s = schema
        s["readOnly"] = true
        return s
    }
    static func nullable(_ schema: [String: Any]) -> [String: Any] {
        if let type = schema["type"] as? String {
            var s = schema
            s["type"] = [type, "null"]
            if let values = s["enum"] as? [String] { s["enum"] = values.map { $0 as Any } + [NSNull()] }
            return s
        }
        return ["oneOf": [schema, ["type": "null"]]]
    }
    static func string(_ values: [String]? = nil) -> [String: Any] {
        var s: [String: Any] = ["type": "string"]
        if let values { s["enum"] = values }
        return s
    }
    /// A string the API refuses when it is empty or only spaces.
    static var nonBlank: [String: Any] { ["type": "string", "pattern": "[^ ]"] }
    static func integer(_ minimum: Int? = nil, _ maximum: Int? = nil) -> [String: Any] {
        var s: [String: Any] = ["type": "integer"]
        if let minimum { s["minimum"] = minimum }
        if let maximum { s["maximum"] = maximum }
        return s
    }
    static var id: [String: Any] { ["type": "integer", "format": "int64", "minimum": 1] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var money: [String: Any] { ["$ref": "#/components/schemas/Money"] }
    static var date: [String: Any] { ["$ref": "#/components/schemas/Date"] }
    static var role: [String: Any] { string(["primary", "secondary", "none"]) }
}
