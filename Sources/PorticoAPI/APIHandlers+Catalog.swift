import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

// Settings, plans and clients.
extension APIHandlers {
    func getSettings(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(SettingsJSON(store.settings))
    }

    /// Applies a partial settings object: every value is checked and nothing is saved unless
    /// all of them are valid.
    func patchSettings(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(SettingsJSON.self, from: r, fields: SettingsJSON.fields)
        let changes = body.changes
        // The store checks that a zone is named; only the system knows which names exist.
        if let zone = body.billing?.timeZone, TimeZone(identifier: zone) == nil {
            throw APIError.invalid("billing.timeZone", "'\(zone)' is not an IANA time zone")
        }
        let settings = changes.isEmpty ? store.settings : try store.updateSettings(changes)
        return JSON.response(SettingsJSON(settings))
    }

    func listPlans(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(try store.plans().map(PlanJSON.init))
    }

    func getPlan(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(PlanJSON(try store.plan(APIBody.id(p, kind: "plan"))))
    }

    func createPlan(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(PlanInput.self, from: r, fields: PlanInput.fields)
        var prices: [Int: Money] = [:]
        for (key, price) in body.periodPrices ?? [:] {
            guard let months = Int(key) else {
                throw APIError.invalid("periodPrices.\(key)", "keys must be numbers of months")
            }
            prices[months] = Money(price)
        }
        let plan = Plan(
            name: body.name, monthlyPrice: Money(body.monthlyPrice), billingPeriods: body.billingPeriods ?? [1],
            periodPrices: prices,
            overrideRole: try body.overrideRole.map { try APIBody.choice($0, OverrideRole.self, field: "overrideRole") }
                ?? .secondary)
        let saved = try store.createPlan(plan)
        return created(PlanJSON(saved), at: "/plans/\(saved.id)")
    }

    func listClients(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(try store.clients().map(ClientJSON.init))
    }

    func getClient(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(ClientJSON(try store.client(APIBody.id(p, kind: "client"))))
    }

    func createClient(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let body = try APIBody.decode(ClientInput.self, from: r, fields: ClientInput.fields)
        let saved = try store.createClient(
            ClientRecord(
                name: body.name, email: body.email ?? "",
                useCreditAutomatically: body.useCreditAutomatically))
        return created(ClientJSON(saved), at: "/clients/\(saved.id)")
    }

    /// Invoices and credit notes, in issue order.
    func clientDocuments(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        JSON.response(try store.documents(clientId: APIBody.id(p, kind: "client")).map(DocumentJSON.init))
    }

    func clientServices(_ r: HTTPRequest, _ p: Params) throws -> HTTPResponse {
        let id = try APIBody.id(p, kind: "client")
        _ = try store.client(id)
        return JSON.response(try store.services(clientId: id, on: today()).map(ServiceJSON.init))
    }
}
