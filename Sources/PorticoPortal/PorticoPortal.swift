// PorticoPortal: the pages for clients in a browser, on the portal listener (SPEC §10).
//
// The redirect of stopped clients (with the server's fast path) and the one rule for the
// portal's own host (`OwnHosts`), the suspension page and its choices, checkouts and the test
// gateway's page, Stripe's webhook and return, RFC 8908's captive API, the portal's texts in
// the client's language. `Portal` is the handler; `PortalContext` is what it is given.
//
// Imports: PorticoCore, PorticoStore, PorticoHTTP, PorticoWebSupport, PorticoPayments (the
// gateway), Logging. Not PorticoFirewall, not PorticoAdmin or PorticoAPI.
