import Foundation
import PorticoCore
import PorticoHTTP

/// JSON responses and the API's error shape `{"error": {"code", "message"}}`.
public enum JSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static func response<T: Encodable>(
        _ value: T, status: Int = 200, contentType: String = "application/json"
    ) -> HTTPResponse {
        do {
            return HTTPResponse.json(try encoder.encode(value).map { $0 }, status: status, contentType: contentType)
        } catch {
            return self.error(500, "internal", "could not encode the response")
        }
    }

    public static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        struct Body: Encodable {
            struct Inner: Encodable { var code: String; var message: String }
            var error: Inner
        }
        let data = (try? encoder.encode(Body(error: .init(code: code, message: message)))) ?? Data()
        return HTTPResponse.json(data.map { $0 }, status: status)
    }

    /// Maps a domain error to a 4xx; anything else is a 500 whose details stay in the log.
    public static func error(for e: Error) -> HTTPResponse {
        switch e {
        case let b as BillingError:
            switch b {
            case .notFound: return error(404, "not_found", b.description)
            case .notAllowed, .backdated, .overlappingTerms, .overlappingAddress:
                return error(409, "conflict", b.description)
            default: return error(422, "invalid", b.description)
            }
        case let a as AddressError: return error(422, "invalid", a.description)
        case let d as DateError: return error(422, "invalid", d.description)
        default: return error(500, "internal", "internal error")
        }
    }
}
