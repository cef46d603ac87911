import Logging
import PorticoFirewall

extension PorticoServer {
    /// Re-resolves the allowlist's names (a periodic service, every `allowedHostsRefreshSeconds`);
    /// when their addresses changed, reconciles at once so the allowed sets follow without
    /// waiting for the reconciler's next pass.
    func refreshAllowlist() {
        guard !allowlist.hosts.isEmpty, allowlist.refresh() else { return }
        do {
            let report = try context.firewall.reconcile(walledGardenState())
            logger.info(
                "allowed hosts' addresses changed",
                metadata: ["added": "\(report.allowedAdded.count)", "removed": "\(report.allowedRemoved.count)"])
        } catch {
            logger.error("reconcile after the allowlist changed failed", metadata: ["error": "\(error)"])
        }
    }
}
