// PorticoApp: the application, the only module that sees every other.
//
// Configuration (file, `PORTICO_…` environment, flags), the wiring (`WebContext`: the web
// modules' contexts, `LocalWalledGarden` over the firewall and the client directory, the admin
// listener's `AdminSite`), the server and its services (listeners, daily-run scheduler,
// reconciler, mail, allowlist, SIGHUP), metrics, `doctor`, and every command of the command
// line (`Installation` and the benchmarks).
//
// Imports: every project module, ServiceLifecycle, Logging (and Foundation).
