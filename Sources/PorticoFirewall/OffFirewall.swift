import PorticoCore
import Synchronization

/// The `off` backend: changes nothing on the machine, keeps the sets it would hold in memory and
/// a log of what it would have done. The default for a first run without privileges.
public final class OffFirewall: WalledGardenFirewall {
    /// One call, as the nftables backend would have carried it out.
    public enum Operation: Sendable, Equatable {
        case rebuild(suspended: [IPPrefix], allowed: [IPPrefix])
        case suspend([IPPrefix])
        case release([IPPrefix])
        case reconcile(ReconcileReport)
    }

    private struct Model {
        var suspended: Set<IPPrefix> = []
        var allowed: Set<IPPrefix> = []
        var built = false
        var operations: [Operation] = []
    }

    private let model = Mutex(Model())
    /// Destinations the configuration always allows (added to the state's, as the real backend does).
    private let configuredAllowed: [IPPrefix]

    public init(configuredAllowed: [IPPrefix] = []) {
        self.configuredAllowed = configuredAllowed
    }

    /// With the allowed destinations the nftables backend would derive from `configuration`
    /// (portal, resolvers, the list); checks the configuration the same way.
    public convenience init(configuration: FirewallConfiguration) throws {
        self.init(configuredAllowed: try Ruleset(configuration).configuredAllowed)
    }

    /// Everything it was asked to do, oldest first.
    public var operations: [Operation] { model.withLock { $0.operations } }

    public func rebuild(_ state: WalledGardenState) throws {
        let suspended = IPPrefix.normalized(state.suspended)
        let allowed = IPPrefix.normalized(configuredAllowed + state.allowed)
        model.withLock {
            $0.suspended = Set(suspended)
            $0.allowed = Set(allowed)
            $0.built = true
            $0.operations.append(.rebuild(suspended: suspended, allowed: allowed))
        }
    }

    public func suspend(_ prefixes: [IPPrefix]) throws {
        let normalized = IPPrefix.normalized(prefixes)
        guard !normalized.isEmpty else { return }
        model.withLock {
            $0.suspended.formUnion(normalized)
            $0.operations.append(.suspend(normalized))
        }
    }

    public func release(_ prefixes: [IPPrefix]) throws {
        let unique = Array(Set(prefixes)).sorted()
        guard !unique.isEmpty else { return }
        model.withLock {
            $0.suspended.subtract(unique)
            $0.operations.append(.release(unique))
        }
    }

    public func suspendedPrefixes() throws -> [IPPrefix] { model.withLock { $0.suspended.sorted() } }

    public func reconcile(_ state: WalledGardenState) throws -> ReconcileReport {
        let suspended = Set(IPPrefix.normalized(state.suspended))
        let allowed = Set(IPPrefix.normalized(configuredAllowed + state.allowed))
        return model.withLock {
            let report = ReconcileReport(
                added: suspended.subtracting($0.suspended).sorted(),
                removed: $0.suspended.subtracting(suspended).sorted(),
                tableRebuilt: !$0.built, allowedAdded: allowed.subtracting($0.allowed).sorted(),
                allowedRemoved: $0.allowed.subtracting(allowed).sorted())
            $0.suspended = suspended
            $0.allowed = allowed
            $0.built = true
            $0.operations.append(.reconcile(report))
            return report
        }
    }
}
