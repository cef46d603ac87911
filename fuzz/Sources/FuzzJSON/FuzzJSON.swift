// The admin API's request bodies: the RFC 8259 checker (`APIJSONSyntax`), the strict decoding
// into request structs (`APIBody.decode`), and the handlers themselves (`AdminAPI.handle`) over a
// temporary database with the `off` firewall.
//
// The first byte of an input picks what it is sent to; the rest is the body.

import Foundation
import FuzzSupport
import PorticoHTTP

@testable import PorticoAPI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = Int(data[0])
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    checkSyntax(body)
    let decoders = Decoders.all
    if selector < 128 {
        decoders[selector % decoders.count](body)
    } else {
        let endpoint = Endpoints.all[(selector - 128) % Endpoints.all.count]
        checkHandler(endpoint.method, endpoint.path, body)
    }
    return 0
}

// MARK: The syntax checker against Foundation

/// What the strict checker accepts, Foundation reads; where both read an object, the checker
/// refused every repeated key, so the two agree on the key count of the top level.
private func checkSyntax(_ body: [UInt8]) {
    guard (try? APIJSONSyntax.check(body)) != nil else { return }
    let value: Any
    do {
        value = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    } catch {
        // Foundation refuses numbers it cannot hold (`1e400`); that is a 400 too, not a 500.
        return
    }
    if let object = value as? [String: Any] {
        let keys = topLevelKeyCount(body)
        require(keys == nil || keys == object.count, "checker and Foundation see different keys")
    }
}

/// The number of keys of a top-level object, counted by a plain scan (nil if not an object).
private func topLevelKeyCount(_ body: [UInt8]) -> Int? {
    var depth = 0
    var inString = false
    var escaped = false
    var keys = 0
    var expectingKey = false
    var sawObject = false
    for b in body {
        if inString {
            if escaped {
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else if b == UInt8(ascii: "\"") {
                inString = false
            }
            continue
        }
        switch b {
        case UInt8(ascii: "\""):
            if depth == 1 && expectingKey {
                keys += 1
                expectingKey = false
            }
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            if depth == 1 {
                guard b == UInt8(ascii: "{") else { return nil }
                sawObject = true
                expectingKey = true
            }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
        case UInt8(ascii: ","):
            if depth == 1 { expectingKey = true }
        default:
            break
        }
    }
    return sawObject ? keys : nil
}

// MARK: Decoding into request structs

/// Each request struct through `APIBody.decode`, as its handler calls it: the outcome is a value
/// or an `APIError` of 400 or 422 whose message names a field, never another error (which the
/// API would answer with a 500).
private enum Decoders {
    static let all: [@Sendable ([UInt8]) -> Void] = [
        { decode($0, PlanInput.self, PlanInput.fields) },
        { decode($0, ClientInput.self, ClientInput.fields) },
        { decode($0, ServiceInput.self, ServiceInput.fields) },
        { decode($0, ServicePatchInput.self, ServicePatchInput.fields) },
        { decode($0, PaymentInput.self, PaymentInput.fields) },
        { decode($0, BillingRunInput.self, BillingRunInput.fields) },
        { decode($0, HoldInput.self, HoldInput.fields) },
        { decode($0, HoldEndInput.self, HoldEndInput.fields) },
        { decode($0, ReasonInput.self, ReasonInput.fields) },
        { decode($0, SettingsJSON.self, SettingsJSON.fields) },
    ]

    static func decode<T: Decodable>(_ body: [UInt8], _ kind: T.Type, _ fields: APIFields) {
        let request = HTTPRequest(method: "POST", path: "/api/v1/fuzz", body: body)
        do {
            _ = try APIBody.decode(kind, from: request, fields: fields)
            require((try? APIJSONSyntax.check(body)) != nil || isBlank(body), "a body the checker refuses was decoded")
        } catch let error as APIError {
            require(error.status == 400 || error.status == 422, "decoding answered \(error.status)")
            require(!error.message.isEmpty, "an error without a message")
        } catch {
            require(false, "decoding threw \(type(of: error)): \(error)")
        }
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}
