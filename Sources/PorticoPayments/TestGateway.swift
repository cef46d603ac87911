import Crypto
import PorticoCore

/// The embedded `test` gateway: its checkout page is served by Portico itself, marked TEST MODE,
/// with "pay" and "decline" buttons that post `outcome=paid|declined` to
/// `/test-gateway/checkout/{id}`.
///
/// Like a real provider it states what was paid, and it signs that statement: the page's form
/// carries `amount`, `currency` and an HMAC-SHA256 of them under a per-installation key, so a
/// hand-made POST cannot confirm a different amount.
public struct TestGateway: PaymentGateway {
    public let name = "test"
    public let allowedHosts: [String] = []
    let secret: [UInt8]

    public init(secret: [UInt8]) { self.secret = secret }

    public func createCheckout(_ request: CheckoutRequest) throws(GatewayError) -> GatewayCheckout {
        GatewayCheckout(
            reference: "test_" + request.checkoutId, redirectURL: "/test-gateway/checkout/\(request.checkoutId)")
    }

    public func testConnection() throws(GatewayError) -> String {
        "The test gateway is served by Portico itself (TEST MODE): nothing to reach."
    }

    /// The signed fields the gateway's page puts in its form.
    public func formFields(checkoutId: String, amount: Money, currency: String) -> [String: String] {
        [
            "amount": String(amount.minorUnits), "currency": currency,
            "signature": signature(checkoutId, String(amount.minorUnits), currency),
        ]
    }

    public func verify(_ callback: GatewayCallback) throws(GatewayError) -> GatewayOutcome? {
        guard let id = callback.checkoutId else { throw .malformed("no checkout id") }
        let f = callback.form
        guard let amountText = f["amount"], let amount = Int64(amountText), let currency = f["currency"],
            let sig = f["signature"]
        else { throw .malformed("amount, currency and signature are required") }
        guard constantTimeEqual(sig, signature(id, amountText, currency)) else { throw .forged("bad signature") }
        let reference = "test_" + id
        switch f["outcome"] {
        case "paid":
            return GatewayOutcome(
                checkoutId: id, reference: reference, result: .paid(amount: Money(amount), currency: currency))
        case "declined":
            return GatewayOutcome(
                checkoutId: id, reference: reference, result: .declined(reason: "declined at the test gateway"))
        default: throw .malformed("outcome must be paid or declined")
        }
    }

    func signature(_ id: String, _ amount: String, _ currency: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(id)|\(amount)|\(currency)".utf8), using: SymmetricKey(data: secret))
        return hexString(mac)
    }
}
