import CNetfilter
import Logging
import PorticoCore
import Synchronization

/// The `nftables` backend: the walled garden in table `inet portico`, over netlink with
/// libnftnl/libmnl, and conntrack cleanup with libnetfilter_conntrack. No shelling out.
///
/// One socket for nftables and one for conntrack, owned by a lock: every operation is a single
/// request/answer exchange on them, sequence numbers and port ids checked, every ACK read.
public final class NftablesFirewall: WalledGardenFirewall {
    public let configuration: FirewallConfiguration
    let ruleset: Ruleset
    private let logger: Logger
    private let sockets: Mutex<Sockets>

    /// The two sockets; only touched inside `sockets.withLock`.
    final class Sockets {
        let nftables: NetlinkSocket
        let conntrack: NetlinkSocket

        init(namespace: String?) throws {
            nftables = try NetlinkSocket(namespace: namespace)
            conntrack = try NetlinkSocket(namespace: namespace, receiveBufferBytes: 1 << 20)
        }
    }

    /// Checks the configuration and opens the netlink sockets (inside
    /// `configuration.networkNamespace` when set). Changes nothing in the kernel.
    public init(configuration: FirewallConfiguration, logger: Logger = Logger(label: "portico.firewall")) throws {
        self.configuration = configuration
        ruleset = try Ruleset(configuration)
        self.logger = logger
        sockets = Mutex(try Sockets(namespace: configuration.networkNamespace))
    }

    public func rebuild(_ state: WalledGardenState) throws {
        let suspended = IPPrefix.normalized(state.suspended)
        let allowed = expectedAllowed(state)
        try sockets.withLock { s in
            try commitRebuild(suspended: suspended, allowed: allowed, socket: s.nftables)
        }
        logger.info("rebuilt table inet portico", metadata: [
            "suspended": "\(suspended.count)", "allowed": "\(allowed.count)", "rules": "\(ruleset.rules.count)",
        ])
    }

    public func suspend(_ prefixes: [IPPrefix]) throws {
        let intervals = IPPrefix.normalized(prefixes).map(SetInterval.init)
        guard !intervals.isEmpty else { return }
        try sockets.withLock { s in
            let batch = s.nftables.makeBatch()
            batch.beginTransaction()
            appendElements(intervals, sets: Ruleset.suspendedSet, adding: true, batch: batch)
            batch.endTransaction()
            try s.nftables.commit(batch, operation: "suspend")
        }
        logger.info("suspended", metadata: ["prefixes": "\(prefixes.map(\.description))"])
    }

    public func release(_ prefixes: [IPPrefix]) throws {
        let unique = Array(Set(prefixes)).sorted()
        guard !unique.isEmpty else { return }
        let deleted = try sockets.withLock { s in
            let batch = s.nftables.makeBatch()
            batch.beginTransaction()
            appendElements(unique.map(SetInterval.init), sets: Ruleset.suspendedSet, adding: false, batch: batch)
            batch.endTransaction()
            try s.nftables.commit(batch, operation: "release")
            return try Conntrack.deleteEntries(sourcesIn: unique, socket: s.conntrack)
        }
        logger.info("released", metadata: ["prefixes": "\(unique.map(\.description))", "conntrack": "\(deleted)"])
    }

    public func suspendedPrefixes() throws -> [IPPrefix] {
        try sockets.withLock { s in
            var out: [IPPrefix] = []
            for spec in [Ruleset.suspended4, Ruleset.suspended6] {
                out += try SetElements.read(spec, socket: s.nftables).flatMap(\.prefixes)
            }
            return out.sorted()
        }
    }

    public func reconcile(_ state: WalledGardenState) throws -> ReconcileReport {
        let suspended = IPPrefix.normalized(state.suspended)
        let allowed = expectedAllowed(state)
        let report = try sockets.withLock { s throws -> ReconcileReport in
            let socket = s.nftables
            let inspection = try TableInspection.read(socket: socket)
            // Elements as the kernel holds them; a missing set holds nothing.
            var held: [String: [SetInterval]] = [:]
            for spec in Ruleset.sets where inspection?.sets[spec.name] != nil {
                held[spec.name] = try SetElements.read(spec, socket: socket)
            }
            let wantSuspended = suspended.map(SetInterval.init)
            let wantAllowed = allowed.map(SetInterval.init)
            let heldSuspended = (held["suspended4"] ?? []) + (held["suspended6"] ?? [])
            let heldAllowed = (held["allowed4"] ?? []) + (held["allowed6"] ?? [])
            let (addS, removeS) = Self.difference(want: wantSuspended, held: heldSuspended)
            let (addA, removeA) = Self.difference(want: wantAllowed, held: heldAllowed)
            var report = ReconcileReport(
                added: addS.flatMap(\.prefixes), removed: removeS.flatMap(\.prefixes),
                tableRebuilt: false, allowedAdded: addA.flatMap(\.prefixes), allowedRemoved: removeA.flatMap(\.prefixes))
            if !(inspection?.matches(ruleset) ?? false) {
                report.tableRebuilt = true
                try commitRebuild(suspended: suspended, allowed: allowed, socket: socket)
                return report
            }
            guard !report.isClean else { return report }
            // Deletions first: the kernel checks overlaps against what stays.
            let batch = socket.makeBatch()
            batch.beginTransaction()
            appendElements(removeS, sets: Ruleset.suspendedSet, adding: false, batch: batch)
            appendElements(removeA, sets: Ruleset.allowedSet, adding: false, batch: batch)
            appendElements(addS, sets: Ruleset.suspendedSet, adding: true, batch: batch)
            appendElements(addA, sets: Ruleset.allowedSet, adding: true, batch: batch)
            batch.endTransaction()
            try socket.commit(batch, operation: "reconcile")
            return report
        }
        if !report.isClean {
            logger.info("reconciled table inet portico", metadata: [
                "rebuilt": "\(report.tableRebuilt)", "added": "\(report.added.count)", "removed": "\(report.removed.count)",
                "allowedAdded": "\(report.allowedAdded.count)", "allowedRemoved": "\(report.allowedRemoved.count)",
            ])
        }
        return report
    }

    // MARK: - Helpers

    /// Allowed sets: the configured destinations (portal, resolvers, list) and the state's.
    func expectedAllowed(_ state: WalledGardenState) -> [IPPrefix] {
        IPPrefix.normalized(ruleset.configuredAllowed + state.allowed)
    }

    private func commitRebuild(suspended: [IPPrefix], allowed: [IPPrefix], socket: NetlinkSocket) throws {
        let batch = socket.makeBatch()
        batch.beginTransaction()
        ruleset.appendTable(to: batch)
        appendElements(suspended.map(SetInterval.init), sets: Ruleset.suspendedSet, adding: true, batch: batch)
        appendElements(allowed.map(SetInterval.init), sets: Ruleset.allowedSet, adding: true, batch: batch)
        batch.endTransaction()
        try socket.commit(batch, operation: "rebuild table inet portico")
    }

    private func appendElements(
        _ intervals: [SetInterval], sets: (IPPrefix.Family) -> Ruleset.SetSpec, adding: Bool, batch: NetlinkBatch
    ) {
        for family in [IPPrefix.Family.ipv4, .ipv6] {
            let part = intervals.filter { $0.family == family }
            if !part.isEmpty { SetElements.append(part, to: sets(family), adding: adding, batch: batch) }
        }
    }

    static func difference(want: [SetInterval], held: [SetInterval]) -> (add: [SetInterval], remove: [SetInterval]) {
        let wantSet = Set(want)
        let heldSet = Set(held)
        return (want.filter { !heldSet.contains($0) }.sorted(), held.filter { !wantSet.contains($0) }.sorted())
    }
}
