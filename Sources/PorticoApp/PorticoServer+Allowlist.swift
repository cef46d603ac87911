import Logging
import PorticoFirewall

extension PorticoServer {
    /// Re-resolves the allowlist's names every `allowedHostsRefreshSeconds` on a background
    /// thread; when their addresses changed, reconciles at once so the allowed sets follow
    /// without waiting for the reconciler's next pass.
    func startAllowlistRefresh() {
        guard !allowlist.hosts.isEmpty else { return }
        background.start(every: configuration.allowedHostsRefreshSeconds) { [self] in
            guard allowlist.refresh() else { return }
            do {
                let report = try context.firewall.reconcile(walledGardenState())
                logger.info(
                    "allowed hosts' addresses changed",
                    metadata: [
                        "added": "\(report.allowedAdded.count)", "removed": "\(report.allowedRemoved.count)",
                    ])
            } catch {
                logger.error("reconcile after the allowlist changed failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
