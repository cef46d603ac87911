// PorticoAPI: the JSON API under /api/v1 on the admin listener (SPEC §12), for admins' tools
// and routers.
//
// Bearer tokens, strict JSON bodies (errors name the field), the endpoints over the store, and
// the OpenAPI document that describes them. `AdminAPI` is the handler; it is given an
// `AdminContext`.
//
// Imports: PorticoCore, PorticoStore, PorticoHTTP, PorticoWebSupport, Crypto (and Foundation).
// Not PorticoFirewall or PorticoPayments, not PorticoPortal or PorticoAdmin.
