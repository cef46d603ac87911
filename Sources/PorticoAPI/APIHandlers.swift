import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

/// The API's handlers over the shared context. Each takes the request and the path's
/// parameters and returns a response or throws; `respond` turns what is thrown into the
/// error shape.
struct APIHandlers: Sendable {
    let context: AdminContext

    var store: Store { context.store }
    func today() -> LocalDate { context.clock.today() }

    typealias Params = [String: String]

    /// Runs a handler: refusals and domain errors become 4xx; anything else is logged and is a
    /// 500 that says no more.
    func respond(_ request: HTTPRequest, _ body: () throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try body()
        } catch let e as APIError {
            return e.response
        } catch let e as BillingError {
            return JSON.error(for: e)
        } catch let e as AddressError {
            return JSON.error(for: e)
        } catch let e as DateError {
            return JSON.error(for: e)
        } catch {
            context.logger.error(
                "api request failed",
                metadata: ["method": "\(request.method)", "path": "\(request.path)", "error": "\(error)"])
            return JSON.error(500, "internal", "internal error")
        }
    }

    /// `201 Created` with the new resource and its `Location`.
    func created(_ value: some Encodable, at path: String) -> HTTPResponse {
        var response = JSON.response(value, status: 201)
        response.addHeader("Location", AdminAPI.prefix + path)
        return response
    }

    /// Keeps the portal's in-memory directory current after a client's services changed. The
    /// change is committed by then; a failure here is logged and repaired by the next reload.
    func refresh(clientId: Int64) {
        do { try context.walledGarden.refresh(clientId: clientId) } catch {
            context.logger.error("directory refresh failed", metadata: ["client": "\(clientId)", "error": "\(error)"])
        }
    }
}
