import Foundation
import PorticoHTTP
import PorticoPayments
import Synchronization

/// A local fake of Stripe's API on loopback, speaking the documented subset Portico uses:
/// create and retrieve Checkout Sessions (form-encoded requests, JSON answers, the error
/// object, `Idempotency-Key` replays), plus the signed webhook events Stripe would send.
final class StripeFake: Sendable {
    static let secretKey = "sk_test_51FakePorticoKey0123456789"
    static let webhookSecret = "whsec_fakeSigningSecretForPortico"

    struct Session: Sendable {
        var id: String
        var amount: Int64
        var currency: String
        var clientReferenceId: String?
        var metadataCheckoutId: String?
        var successURL: String
        var cancelURL: String
        var paymentStatus = "unpaid"
        var status = "open"
    }

    /// One request as the fake received it.
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var form: [String: String]
    }

    struct State: Sendable {
        var sessions: [String: Session] = [:]
        var received: [Received] = []
        /// Idempotency-Key → the answer first given for it.
        var replies: [String: HTTPResponse] = [:]
        /// When set, every create is answered with this status and error object.
        var failCreate: (status: Int, body: String)?
        var next = 1
    }

    final class Shared: Sendable {
        let state = Mutex(State())
    }

    let shared = Shared()
    let server: HTTPServer

    init() throws {
        let shared = shared
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) {
            Self.handle($0, shared)
        }
        try server.start()
    }

    deinit { server.stop() }

    var apiBase: String { "http://127.0.0.1:\(server.port)" }
    var received: [Received] { shared.state.withLock { $0.received } }
    var creates: [Received] { received.filter { $0.method == "POST" && $0.path == "/v1/checkout/sessions" } }
    var retrievals: [Received] { received.filter { $0.method == "GET" } }

    func session(_ id: String) -> Session? { shared.state.withLock { $0.sessions[id] } }

    func failCreates(status: Int, type: String, code: String, message: String) {
        let body =
            #"{"error":{"type":"\#(type)","code":"\#(code)","message":"\#(message)","doc_url":"https://stripe.com/docs/error-codes/\#(code)"}}"#
        shared.state.withLock { $0.failCreate = (status, body) }
    }

    /// The client paid (or completed with a delayed method: `paid: false`) at Checkout.
    func complete(_ id: String, paid: Bool = true) {
        shared.state.withLock {
            $0.sessions[id]?.status = "complete"
            $0.sessions[id]?.paymentStatus = paid ? "paid" : "unpaid"
        }
    }

    func expire(_ id: String) { shared.state.withLock { $0.sessions[id]?.status = "expired" } }

    /// An event of `type` carrying the session as it is now, with fields overridden if asked
    /// (a different amount, currency, reference).
    func event(
        _ type: String, session id: String, amount: Int64? = nil, currency: String? = nil,
        clientReferenceId: String?? = nil, sessionId: String? = nil, created: Int64 = 0
    ) -> [UInt8] {
        var s = session(id)!
        if let amount { s.amount = amount }
        if let currency { s.currency = currency }
        if let clientReferenceId {
            s.clientReferenceId = clientReferenceId
            s.metadataCheckoutId = clientReferenceId
        }
        if let sessionId { s.id = sessionId }
        let eventId = "evt_" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        return Array(
            """
            {"id":"\(eventId)","object":"event","api_version":"2024-06-20","created":\(created),\
            "data":{"object":\(Self.json(s))},"livemode":false,"pending_webhooks":1,\
            "request":{"id":null,"idempotency_key":null},"type":"\(type)"}
            """.utf8)
    }

    /// `Stripe-Signature` for `body` at `timestamp`, signed with `secret`.
    static func sign(_ body: [UInt8], at timestamp: Int64, secret: String = webhookSecret) -> String {
        StripeSignatureHeader.header(timestamp: timestamp, body: body, secret: secret)
    }

    // MARK: The API

    static func handle(_ req: HTTPRequest, _ shared: Shared) -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in req.headers { headers[name.lowercased()] = value }
        var form: [String: String] = [:]
        if req.method == "POST" { form = (try? req.formValues()) ?? [:] }
        shared.state.withLock {
            $0.received.append(Received(method: req.method, path: req.path, headers: headers, form: form))
        }
        guard headers["authorization"] == "Bearer \(secretKey)" else {
            return error(
                401, "invalid_request_error", nil, "Invalid API Key provided: \(headers["authorization"] ?? "none")")
        }
        if req.method == "POST" && req.path == "/v1/checkout/sessions" { return create(form, headers, shared) }
        let prefix = "/v1/checkout/sessions/"
        if req.method == "GET" && req.path.hasPrefix(prefix) {
            let id = String(req.path.dropFirst(prefix.count))
            guard let s = shared.state.withLock({ $0.sessions[id] }) else {
                return error(404, "invalid_request_error", "resource_missing", "No such checkout.session: '\(id)'")
            }
            return .json(json(s))
        }
        return error(404, "invalid_request_error", nil, "Unrecognized request URL (\(req.method): \(req.path)).")
    }

    static func create(_ form: [String: String], _ headers: [String: String], _ shared: Shared) -> HTTPResponse {
        shared.state.withLock { state in
            if let key = headers["idempotency-key"], let earlier = state.replies[key] { return earlier }
            let response: HTTPResponse
            if let fail = state.failCreate {
                response = .json(fail.body, status: fail.status)
            } else if form["mode"] != "payment" {
                response = error(400, "invalid_request_error", "parameter_missing", "Missing required param: mode.")
            } else if let amount = form["line_items[0][price_data][unit_amount]"].flatMap({ Int64($0) }),
                let quantity = form["line_items[0][quantity]"].flatMap({ Int64($0) }),
                let currency = form["line_items[0][price_data][currency]"],
                form["line_items[0][price_data][product_data][name]"] != nil,
                let success = form["success_url"]
            {
                let id = "cs_test_fake\(state.next)"
                state.next += 1
                let s = Session(
                    id: id, amount: amount * quantity, currency: currency,
                    clientReferenceId: form["client_reference_id"],
                    metadataCheckoutId: form["metadata[checkout_id]"], successURL: success,
                    cancelURL: form["cancel_url"] ?? "")
                state.sessions[id] = s
                response = .json(json(s))
            } else {
                response = error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid line_items[0].")
            }
            if let key = headers["idempotency-key"] { state.replies[key] = response }
            return response
        }
    }

    static func error(_ status: Int, _ type: String, _ code: String?, _ message: String) -> HTTPResponse {
        let codeField = code.map { #","code":"\#($0)""# } ?? ""
        return .json(#"{"error":{"type":"\#(type)"\#(codeField),"message":"\#(message)"}}"#, status: status)
    }

    static func json(_ s: Session) -> String {
        func str(_ v: String?) -> String { v.map { "\"\($0)\"" } ?? "null" }
        return """
            {"id":"\(s.id)","object":"checkout.session","amount_subtotal":\(s.amount),"amount_total":\(s.amount),\
            "cancel_url":\(str(s.cancelURL)),"client_reference_id":\(str(s.clientReferenceId)),"currency":"\(s.currency)",\
            "livemode":false,"metadata":\(s.metadataCheckoutId.map { #"{"checkout_id":"\#($0)"}"# } ?? "{}"),"mode":"payment",\
            "payment_status":"\(s.paymentStatus)","status":"\(s.status)","success_url":\(str(s.successURL)),\
            "url":\(s.status == "open" ? str("https://checkout.stripe.com/c/pay/\(s.id)") : "null")}
            """
    }
}
