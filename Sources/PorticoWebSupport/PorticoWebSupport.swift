// PorticoWebSupport: what the three web modules (PorticoPortal, PorticoAdmin, PorticoAPI) share.
//
// The Mustache templates, the one router (`Router`), CSRF tokens, request metrics and the
// Prometheus text format, JSON answers and the API's error shape, the installation's clock,
// the in-memory client directory, the ISP's details (`Branding`), the portal's text
// catalogues, the email composer, tokens and random bytes; and the seams the web modules work
// through: `WalledGarden` (the walled garden, implemented by PorticoApp over the firewall) and
// `AdminContext` (what the admin UI and the API are given).
//
// Imports: PorticoCore, PorticoStore, PorticoHTTP, Mustache, Crypto, Logging (and Foundation,
// Synchronization). Not PorticoFirewall, not PorticoPayments, not another web module.
