// PorticoAdmin: the admin web UI on the admin listener (SPEC §12), for the ISP's staff.
//
// Sign-in (scrypt password hashes, the sign-in throttle, sessions), server-rendered pages and
// forms over the store (clients, services, holds, plans, documents, payments, settings, portal
// texts, the outbox, the audit log, the walled garden's state), refused forms rendered again as
// typed. `AdminUI` is the handler; it is given an `AdminContext`.
//
// Imports: PorticoCore, PorticoStore, PorticoHTTP, PorticoWebSupport, Crypto (and Foundation).
// Not PorticoFirewall or PorticoPayments, not PorticoPortal or PorticoAPI: PorticoApp mounts it
// beside the API (`AdminSite`).
