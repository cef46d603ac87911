import Foundation
import PorticoCore
import PorticoHTTP
import PorticoWebSupport

/// Which keys a request body may hold. Unknown keys are refused (a misspelt field would
/// otherwise be silently ignored); `ignored` are the derived fields of the resource (`id`,
/// `status`, …), accepted and dropped so a client may send back what it read.
struct APIFields: Sendable {
    /// What the body describes, for messages ("a plan").
    var what: String
    var accepted: Set<String>
    var ignored: Set<String> = []
    /// Keys whose value must not be JSON `null` (where `null` would be ambiguous: in a patch,
    /// or where the field has no "unset" meaning).
    var notNull: Set<String> = []
    /// Keys holding objects whose own keys are checked the same way (settings groups).
    var nested: [String: APIFields] = [:]
}

/// Strict decoding of JSON request bodies into request structs. Every refusal names the field
/// by its path in the body.
enum APIBody {
    /// Decodes `request.body` as `T`. An empty body reads as `{}` (so an action whose fields are
    /// all optional needs none); anything that is not a JSON object is a 400; a wrong type, a
    /// missing required field or an unknown key is a 422 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest, fields: APIFields) throws -> T {
        let bytes =
            request.body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            ? Array("{}".utf8) : request.body
        do { try APIJSONSyntax.check(bytes) } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error.message)")
        }
        let data = Data(bytes)
        let raw: Any
        do {
            raw = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("the body is not valid JSON (or not UTF-8)")
        }
        guard let object = raw as? [String: Any] else { throw APIError.badRequest("the body must be a JSON object") }
        try check(object, fields, prefix: "")
        if let path = fraction(in: object, path: "") { throw APIError.invalid(path, "must be a whole number") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw map(error)
        }
    }

    static func check(_ object: [String: Any], _ fields: APIFields, prefix: String) throws {
        for key in object.keys.sorted() {
            let path = prefix + key
            if fields.ignored.contains(key) { continue }
            guard fields.accepted.contains(key) else {
                throw APIError.invalid(path, "is not a field of \(fields.what)")
            }
            let value = object[key]!
            if value is NSNull && fields.notNull.contains(key) { throw APIError.invalid(path, "must not be null") }
            if let inner = fields.nested[key], let dict = value as? [String: Any] {
                try check(dict, inner, prefix: path + ".")
            }
        }
    }

    /// The path of the first number that is not a whole number of a size an `Int64` holds.
    /// Every number this API takes is whole (amounts in minor units, ids, days, months), and the
    /// decoder reports such a number without saying where it was.
    static func fraction(in value: Any, path: String) -> String? {
        switch value {
        case let dict as [String: Any]:
            for key in dict.keys.sorted() {
                if let p = fraction(in: dict[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return p }
            }
        case let list as [Any]:
            for (i, item) in list.enumerated() {
                if let p = fraction(in: item, path: "\(path)[\(i)]") { return p }
            }
        case is Bool, is String, is NSNull:
            break
        case let n as NSNumber:
            let d = n.doubleValue
            if d.rounded() != d || abs(d) >= 9.2e18 { return path.isEmpty ? "body" : path }
        default:
            break
        }
        return nil
    }

    /// The decoder's error as a 422 naming the field (`a.b`, `list[2]`); a syntax error is a 400.
    static func map(_ error: DecodingError) -> APIError {
        switch error {
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type)), not null")
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath + [key]), "is required")
        case .dataCorrupted(let context):
            // The syntax was checked before decoding, so this is a value the type cannot hold.
            return .invalid(path(context.codingPath), "has a value that cannot be read (\(context.debugDescription))")
        @unknown default:
            return .badRequest("the body could not be read")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let i = key.intValue, isIndex(key) {
                out += "[\(i)]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out.isEmpty ? "body" : out
    }

    /// Array positions come as keys with an integer value and a synthetic name (`Index 2`).
    static func isIndex(_ key: any CodingKey) -> Bool { key.stringValue.hasPrefix("Index ") }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a \(String(describing: type).lowercased())"
        }
    }

    // MARK: Values that arrive as strings

    /// `YYYY-MM-DD`, or a 422 naming `field`.
    static func date(_ text: String, field: String) throws -> LocalDate {
        do { return try LocalDate(text) } catch { throw APIError.invalid(field, error.description) }
    }

    static func date(_ text: String?, field: String, default value: LocalDate) throws -> LocalDate {
        try text.map { try date($0, field: field) } ?? value
    }

    /// An action's effective date (`receivedOn`, `from`, `on`, the billing run's `date`): default
    /// `today`, at most `DateLimits.maxDaysAhead` after it, or a 422 naming `field`.
    static func effectiveDate(_ text: String?, field: String, today: LocalDate) throws -> LocalDate {
        try DateLimits.effectiveDate(date(text, field: field, default: today), field: field, today: today)
    }

    /// A new service's `activeFrom`: at most `DateLimits.maxDaysBack` before `today`, or a 422
    /// naming `field`.
    static func startDate(_ text: String, field: String, today: LocalDate) throws -> LocalDate {
        try DateLimits.startDate(date(text, field: field), field: field, today: today)
    }

    /// One of an enum's raw values, or a 422 listing them.
    static func choice<E: RawRepresentable & CaseIterable>(_ text: String, _ type: E.Type, field: String) throws -> E
    where E.RawValue == String {
        guard let v = E(rawValue: text) else {
            throw APIError.invalid(
                field, "'\(text)' must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    /// A path parameter that names a stored row: anything but a positive integer cannot exist.
    static func id(_ params: [String: String], kind: String) throws -> Int64 {
        let text = params["id"] ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError.notFound(kind, "'\(text)'") }
        return id
    }
}

extension KeyedDecodingContainer {
    /// A patch field: absent → nil, `null` → `.some(nil)`, a value → `.some(value)`.
    func decodePatch<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T?? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return .some(nil) }
        return .some(try decode(type, forKey: key))
    }
}
