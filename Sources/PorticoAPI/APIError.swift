import PorticoHTTP
import PorticoWebSupport

/// A request the API refuses before (or instead of) reaching the store: the status, a stable
/// machine-readable code and a message that names the field at fault.
struct APIError: Error, Equatable, CustomStringConvertible {
    var status: Int
    var code: String
    var message: String

    /// 400: the body is not JSON, or not a JSON object.
    static func badRequest(_ message: String) -> APIError {
        APIError(status: 400, code: "bad_request", message: message)
    }

    /// 422: a field has the wrong type or value; `field` is a dotted path (`suspension.delayDays`,
    /// `addresses[1]`).
    static func invalid(_ field: String, _ why: String) -> APIError {
        APIError(status: 422, code: "invalid", message: "\(field): \(why)")
    }

    static func notFound(_ kind: String, _ id: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "\(kind) \(id) not found")
    }

    static func conflict(_ message: String) -> APIError { APIError(status: 409, code: "conflict", message: message) }

    var description: String { "\(status) \(code): \(message)" }

    var response: HTTPResponse { JSON.error(status, code, message) }
}
