import Logging
import PorticoCore
import PorticoFirewall
import PorticoStore
import PorticoWebSupport

/// The walled garden the web modules reach (`WalledGarden`), over this machine's firewall and
/// the in-memory client directory the portal reads: one target today, the local firewall.
public final class LocalWalledGarden: WalledGarden {
    public let firewall: any WalledGardenFirewall
    public let directory: ClientDirectory
    let store: Store
    let clock: InstallationClock
    let logger: Logger
    /// The one target's name: this machine's sets.
    static let targetName = "local firewall"

    public init(
        firewall: any WalledGardenFirewall, directory: ClientDirectory, store: Store, clock: InstallationClock,
        logger: Logger
    ) {
        self.firewall = firewall
        self.directory = directory
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The kernel sets first (acknowledged before this returns), then the in-memory directory.
    public func apply(_ delta: WalledGardenDelta) {
        guard !delta.isEmpty else { return }
        do {
            if !delta.release.isEmpty { try firewall.release(delta.release.sorted()) }
            if !delta.suspend.isEmpty { try firewall.suspend(delta.suspend.sorted()) }
        } catch {
            // The database is the truth: the reconciler repairs the sets on its next pass.
            logger.error(
                "walled garden update failed; the reconciler will repair it",
                metadata: [
                    "error": "\(error)", "suspend": "\(delta.suspend.count)",
                    "release": "\(delta.release.count)",
                ])
        }
        directory.apply(suspend: delta.suspend, release: delta.release)
    }

    public func refresh(clientId: Int64) throws {
        let addresses = try store.services(clientId: clientId, on: clock.today()).flatMap(\.service.addresses)
        directory.update(clientId: clientId, addresses: addresses)
    }

    /// Loads every client's addresses and the stopped set from the database (start-up, SIGHUP,
    /// another process's billing run).
    public func reloadDirectory() throws {
        let today = clock.today()
        var owners: [Int64: [IPPrefix]] = [:]
        for s in try store.services(on: today) { owners[s.service.clientId, default: []] += s.service.addresses }
        directory.load(owners: owners.map { ($0.key, $0.value) }, stopped: try store.stoppedAddresses())
    }

    public func status() throws -> WalledGardenReport {
        let stopped = try store.stoppedAddresses()
        let held = Result { Set(try firewall.suspendedPrefixes()) }
        return WalledGardenReport(
            stopped: stopped,
            targets: [.compared(name: Self.targetName, kind: .localFirewall, stopped: stopped, held: held)])
    }

    public func client(owning prefix: IPPrefix) -> Int64? { directory.lookup(prefix)?.clientId }
}
