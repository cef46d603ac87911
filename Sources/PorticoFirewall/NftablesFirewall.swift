import CNetfilter
import Glibc
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
    let sockets: Mutex<Sockets>

    /// The two sockets; only touched inside `sockets.withLock`.
    final class Sockets {
        let nftables: NetlinkSocket
        let conntrack: NetlinkSocket
        let index: ConntrackIndex?

        init(namespace: String?, markBit: UInt32?) throws {
            nftables = try NetlinkSocket(namespace: namespace)
            conntrack = try NetlinkSocket(namespace: namespace, receiveBufferBytes: 1 << 20)
            index = try markBit.map { try ConntrackIndex(namespace: namespace, markBit: $0) }
            // The one walk of the conntrack table (~13 ms) happens now rather than in the first
            // release; if it fails here, the first release tries again.
            try? index?.refresh(socket: conntrack)
        }
    }

    /// Checks the configuration and opens the netlink sockets (inside
    /// `configuration.networkNamespace` when set). Changes nothing in the kernel.
    public init(configuration: FirewallConfiguration, logger: Logger = Logger(label: "portico.firewall")) throws {
        self.configuration = configuration
        ruleset = try Ruleset(configuration)
        self.logger = logger
        sockets = Mutex(try Sockets(namespace: configuration.networkNamespace, markBit: configuration.conntrackMarkBit))
    }

    public func rebuild(_ state: WalledGardenState) throws {
        let suspended = IPPrefix.normalized(state.suspended)
        let allowed = expectedAllowed(state)
        try sockets.withLock { s in
            try commitRebuild(suspended: suspended, allowed: allowed, socket: s.nftables)
        }
        logger.info(
            "rebuilt table inet portico",
            metadata: [
                "suspended": "\(suspended.count)", "allowed": "\(allowed.count)", "rules": "\(ruleset.rules.count)",
            ])
    }

    public func suspend(_ prefixes: [IPPrefix]) throws {
        let normalized = IPPrefix.normalized(prefixes)
        guard !normalized.isEmpty else { return }
        let grown = try sockets.withLock { s in
            let batch = s.nftables.makeBatch()
            batch.beginTransaction()
            appendElements(normalized, sets: Ruleset.suspendedSet(for:), adding: true, batch: batch)
            batch.endTransaction()
            do {
                try s.nftables.commit(batch, operation: "suspend")
                return false
            } catch let error as NetlinkError where error.errno == ENFILE {
                // A host set is full: rebuild the table from what the kernel holds plus these,
                // with room to double (one atomic batch, as at start-up).
                var suspended: [IPPrefix] = normalized
                for spec in Ruleset.suspendedSets {
                    suspended += try SetElements.read(spec, socket: s.nftables).flatMap(\.prefixes)
                }
                var allowed: [IPPrefix] = []
                for spec in [Ruleset.allowed4, Ruleset.allowed6] {
                    allowed += try SetElements.read(spec, socket: s.nftables).flatMap(\.prefixes)
                }
                try commitRebuild(
                    suspended: IPPrefix.normalized(suspended), allowed: IPPrefix.normalized(allowed), socket: s.nftables
                )
                return true
            }
        }
        if grown { logger.info("host sets full: rebuilt table inet portico with more room") }
        logger.info("suspended", metadata: Self.summary(normalized))
    }

    public func release(_ prefixes: [IPPrefix]) throws {
        let unique = Array(Set(prefixes)).sorted()
        guard !unique.isEmpty else { return }
        let deleted = try sockets.withLock { s in
            try releaseElements(unique, socket: s.nftables)
            return try deleteConntrack(unique, sockets: s)
        }
        var metadata = Self.summary(unique)
        metadata["conntrack"] = "\(deleted)"
        logger.info("released", metadata: metadata)
    }

    public func suspendedPrefixes() throws -> [IPPrefix] {
        try sockets.withLock { s in
            var out: [IPPrefix] = []
            for spec in Ruleset.suspendedSets {
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
            // Each set compared with what it should hold; a missing set holds nothing.
            let want = Dictionary(
                uniqueKeysWithValues: (SetElements.grouped(suspended, by: Ruleset.suspendedSet(for:))
                    + SetElements.grouped(allowed, by: Ruleset.allowedSet(for:)))
                    .map { ($0.0.name, $0.1) })
            var changes: [(spec: Ruleset.SetSpec, add: [SetInterval], remove: [SetInterval])] = []
            for spec in Ruleset.sets {
                let held = inspection?.sets[spec.name] != nil ? try SetElements.read(spec, socket: socket) : []
                let (add, remove) = Self.difference(want: want[spec.name] ?? [], held: held)
                if !add.isEmpty || !remove.isEmpty { changes.append((spec, add, remove)) }
            }
            func prefixes(
                _ suspendedSets: Bool,
                _ side: ((spec: Ruleset.SetSpec, add: [SetInterval], remove: [SetInterval])) -> [SetInterval]
            ) -> [IPPrefix] {
                changes.filter { Ruleset.suspendedSets.contains($0.spec) == suspendedSets }.flatMap(side).flatMap(
                    \.prefixes
                ).sorted()
            }
            var report = ReconcileReport(
                added: prefixes(true) { $0.add }, removed: prefixes(true) { $0.remove }, tableRebuilt: false,
                allowedAdded: prefixes(false) { $0.add }, allowedRemoved: prefixes(false) { $0.remove })
            if !(inspection?.matches(ruleset) ?? false) {
                report.tableRebuilt = true
                try commitRebuild(suspended: suspended, allowed: allowed, socket: socket)
                return report
            }
            guard !changes.isEmpty else {
                try? s.index?.refresh(socket: s.conntrack)
                return report
            }
            // Deletions first: the kernel checks overlaps against what stays.
            let batch = socket.makeBatch()
            batch.beginTransaction()
            for change in changes where !change.remove.isEmpty {
                SetElements.append(change.remove, to: change.spec, adding: false, batch: batch)
            }
            for change in changes where !change.add.isEmpty {
                SetElements.append(change.add, to: change.spec, adding: true, batch: batch)
            }
            batch.endTransaction()
            // The timer that calls reconcile also keeps the conntrack event queue short, so it
            // does not overflow (and force a walk of the table) between rare releases.
            defer { try? s.index?.refresh(socket: s.conntrack) }
            do {
                try socket.commit(batch, operation: "reconcile")
            } catch let error as NetlinkError where error.errno == ENFILE {
                // A host set is full (they are sized when created): rebuild with more room.
                report.tableRebuilt = true
                try commitRebuild(suspended: suspended, allowed: allowed, socket: socket)
            }
            return report
        }
        if !report.isClean {
            logger.info(
                "reconciled table inet portico",
                metadata: [
                    "rebuilt": "\(report.tableRebuilt)", "added": "\(report.added.count)",
                    "removed": "\(report.removed.count)",
                    "allowedAdded": "\(report.allowedAdded.count)", "allowedRemoved": "\(report.allowedRemoved.count)",
                ])
        }
        return report
    }

    // MARK: - Helpers

    /// Log metadata for a list of prefixes: how many, and the first ten.
    static func summary(_ prefixes: [IPPrefix]) -> Logger.Metadata {
        let shown = prefixes.prefix(10).map(\.description).joined(separator: " ")
        return ["count": "\(prefixes.count)", "prefixes": "\(shown)\(prefixes.count > 10 ? " …" : "")"]
    }

    /// `release`, timed in its two parts (for the benchmark).
    func timedRelease(_ prefixes: [IPPrefix]) throws -> (set: Duration, conntrack: Duration) {
        try sockets.withLock { s in
            let start = ContinuousClock.now
            try releaseElements(prefixes, socket: s.nftables)
            let middle = ContinuousClock.now
            _ = try deleteConntrack(prefixes, sockets: s)
            return (middle - start, ContinuousClock.now - middle)
        }
    }

    func releaseElements(_ prefixes: [IPPrefix], socket: NetlinkSocket) throws {
        let batch = socket.makeBatch()
        batch.beginTransaction()
        appendElements(prefixes, sets: Ruleset.suspendedSet(for:), adding: false, batch: batch)
        batch.endTransaction()
        try socket.commit(batch, operation: "release")
    }

    func deleteConntrack(_ prefixes: [IPPrefix], sockets: Sockets) throws -> Int {
        try Conntrack.deleteEntries(sourcesIn: prefixes, socket: sockets.conntrack, index: sockets.index)
    }

    /// Allowed sets: the configured destinations (portal, resolvers, list) and the state's.
    func expectedAllowed(_ state: WalledGardenState) -> [IPPrefix] {
        IPPrefix.normalized(ruleset.configuredAllowed + state.allowed)
    }

    private func commitRebuild(suspended: [IPPrefix], allowed: [IPPrefix], socket: NetlinkSocket) throws {
        let batch = socket.makeBatch()
        batch.beginTransaction()
        var hostCounts: [String: Int] = [:]
        for prefix in suspended where prefix.isSingleAddress {
            hostCounts[Ruleset.suspendedSet(for: prefix).name, default: 0] += 1
        }
        ruleset.appendTable(to: batch, hostCounts: hostCounts)
        appendElements(suspended, sets: Ruleset.suspendedSet(for:), adding: true, batch: batch)
        appendElements(allowed, sets: Ruleset.allowedSet(for:), adding: true, batch: batch)
        batch.endTransaction()
        try socket.commit(batch, operation: "rebuild table inet portico")
    }

    private func appendElements(
        _ prefixes: [IPPrefix], sets: (IPPrefix) -> Ruleset.SetSpec, adding: Bool, batch: NetlinkBatch
    ) {
        for (spec, intervals) in SetElements.grouped(prefixes, by: sets) {
            SetElements.append(intervals, to: spec, adding: adding, batch: batch)
        }
    }

    static func difference(want: [SetInterval], held: [SetInterval]) -> (add: [SetInterval], remove: [SetInterval]) {
        let wantSet = Set(want)
        let heldSet = Set(held)
        return (want.filter { !heldSet.contains($0) }.sorted(), held.filter { !wantSet.contains($0) }.sorted())
    }
}
