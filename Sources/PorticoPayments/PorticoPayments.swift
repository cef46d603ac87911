// PorticoPayments: payment gateways.
//
// The `PaymentGateway` interface (create a checkout, verify a callback), the built-in `test`
// gateway whose page Portico serves, and Stripe (Checkout sessions, signed webhooks).
//
// Imports: PorticoCore, CCurl (Stripe's HTTPS), Crypto (and Foundation). Imported by the portal
// (checkouts, webhooks) and the app (which builds the gateway); not by the admin or the API,
// which see a `GatewaySummary`.
