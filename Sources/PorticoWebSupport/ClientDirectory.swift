import PorticoCore
import PorticoHTTP
import Synchronization

/// Which client an address belongs to and whether it is stopped, served from memory so the
/// redirect path touches no disk. Kept current by every change (`update`, `apply`).
public final class ClientDirectory: Sendable {
    struct Table {
        var owner: [IPPrefix: Int64] = [:]
        var byClient: [Int64: [IPPrefix]] = [:]
        var stopped: Set<IPPrefix> = []
        /// Prefix lengths in use per family, longest first, so a lookup tries only those.
        var lengths: [IPPrefix.Family: [Int]] = [:]
        var lengthCounts: [IPPrefix.Family: [Int: Int]] = [:]
        /// IPv4 prefixes again, keyed `address << 8 | length`, so the redirect path's lookup
        /// is integer arithmetic and hashing, with no allocation.
        var v4Owner: [UInt64: (client: Int64, prefix: IPPrefix)] = [:]
        var v4Stopped: Set<UInt64> = []
        /// `lengths[.ipv4]`, kept apart for `standing(_:)`.
        var v4Lengths: [Int] = []
    }

    /// What the portal needs to know of an address for a foreign host: whose it is does not
    /// matter, only whether it is anyone's and stopped.
    public enum Standing: Sendable, Equatable {
        case unknown
        case active
        case stopped
    }

    let table = Mutex(Table())
    /// Bumped after every change; a thread's standing cache is valid for one generation.
    private let generation = Atomic<UInt64>(0)
    /// Per thread: IPv4 address → standing, for the current generation. The portal's threads
    /// then answer repeat requests without taking the table's lock, which both cores would
    /// otherwise bounce between them on every request.
    private let standings = PerThread { StandingCache() }

    final class StandingCache: Sendable {
        struct State {
            var generation: UInt64 = .max
            var byAddress: [UInt32: Standing] = [:]
        }
        /// Bounds a cache that a scan over many addresses would otherwise grow.
        static let capacity = 4096
        let state = Mutex(State())
    }

    public init() {}

    /// Replaces everything (start-up).
    public func load(owners: [(clientId: Int64, addresses: [IPPrefix])], stopped: Set<IPPrefix>) {
        table.withLock { t in
            t = Table()
            for (client, addresses) in owners { Self.set(&t, client, addresses) }
            t.stopped = stopped
            t.v4Stopped = Set(stopped.compactMap(Self.v4Key))
        }
        generation.add(1, ordering: .releasing)
    }

    /// A client's addresses changed (service created or edited).
    public func update(clientId: Int64, addresses: [IPPrefix]) {
        table.withLock { t in
            Self.set(&t, clientId, addresses)
        }
        generation.add(1, ordering: .releasing)
    }

    /// Applies what a change did to the walled garden.
    public func apply(suspend: Set<IPPrefix>, release: Set<IPPrefix>) {
        table.withLock { t in
            t.stopped.subtract(release)
            t.stopped.formUnion(suspend)
            t.v4Stopped.subtract(release.compactMap(Self.v4Key))
            t.v4Stopped.formUnion(suspend.compactMap(Self.v4Key))
        }
        generation.add(1, ordering: .releasing)
    }

    public struct Entry: Sendable, Equatable {
        public var clientId: Int64
        /// The service address (prefix) that matched.
        public var prefix: IPPrefix
        public var stopped: Bool
    }

    /// The client whose address or prefix contains `address` (longest match), if any.
    public func lookup(_ address: IPPrefix) -> Entry? {
        table.withLock { t in
            for length in t.lengths[address.family] ?? [] where length <= address.length {
                guard
                    let p = try? IPPrefix(
                        family: address.family, bytes: IPPrefix.masked(address.bytes, length),
                        length: length),
                    let client = t.owner[p]
                else { continue }
                return Entry(clientId: client, prefix: p, stopped: t.stopped.contains(p))
            }
            return nil
        }
    }

    /// The entry for a textual address (the HTTP peer). Dotted IPv4 text is parsed without
    /// allocating: this runs for every redirect.
    /// `lookup(text)` reduced to its standing, answered for IPv4 with integer keys only (no
    /// entry, no prefix copied out): the redirect path asks this for every request.
    public func standing(_ text: String) -> Standing {
        if let v4 = Self.ipv4Bytes(text) {
            return standing(ipv4: UInt32(v4.0) << 24 | UInt32(v4.1) << 16 | UInt32(v4.2) << 8 | UInt32(v4.3))
        }
        guard let entry = lookup(text) else { return .unknown }
        return entry.stopped ? .stopped : .active
    }

    /// The standing of an IPv4 address given in host byte order.
    public func standing(ipv4 address: UInt32) -> Standing {
        do {
            // Read before the table: a change after this read makes the next lookup miss.
            let current = generation.load(ordering: .acquiring)
            let cache = standings.current
            if let hit = cache.state.withLock({ $0.generation == current ? $0.byAddress[address] : nil }) {
                return hit
            }
            let standing = table.withLock { t -> Standing in
                for length in t.v4Lengths {
                    let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
                    let key = UInt64(address & mask) << 8 | UInt64(length)
                    if t.v4Owner[key] != nil { return t.v4Stopped.contains(key) ? .stopped : .active }
                }
                return .unknown
            }
            cache.state.withLock { state in
                if state.generation != current || state.byAddress.count >= StandingCache.capacity {
                    state.byAddress.removeAll(keepingCapacity: state.generation == current)
                    state.generation = current
                }
                state.byAddress[address] = standing
            }
            return standing
        }
    }

    public func lookup(_ text: String) -> Entry? {
        if let v4 = Self.ipv4Bytes(text) {
            let address = UInt32(v4.0) << 24 | UInt32(v4.1) << 16 | UInt32(v4.2) << 8 | UInt32(v4.3)
            return table.withLock { t in
                for length in t.lengths[.ipv4] ?? [] {
                    let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
                    let key = UInt64(address & mask) << 8 | UInt64(length)
                    if let hit = t.v4Owner[key] {
                        return Entry(clientId: hit.client, prefix: hit.prefix, stopped: t.v4Stopped.contains(key))
                    }
                }
                return nil
            }
        }
        guard let p = try? IPPrefix(text) else { return nil }
        return lookup(p)
    }

    static func v4Key(_ p: IPPrefix) -> UInt64? {
        guard p.family == .ipv4 else { return nil }
        let a = UInt32(p.bytes[0]) << 24 | UInt32(p.bytes[1]) << 16 | UInt32(p.bytes[2]) << 8 | UInt32(p.bytes[3])
        return UInt64(a) << 8 | UInt64(p.length)
    }

    static func ipv4Bytes(_ text: String) -> (UInt8, UInt8, UInt8, UInt8)? {
        var parts: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        var index = 0
        var digits = 0
        var value: UInt32 = 0
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                guard digits > 0, index < 3 else { return nil }
                switch index {
                case 0: parts.0 = value
                case 1: parts.1 = value
                default: parts.2 = value
                }
                index += 1
                digits = 0
                value = 0
            } else if b >= 48 && b <= 57 {
                value = value * 10 + UInt32(b - 48)
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard index == 3, digits > 0 else { return nil }
        parts.3 = value
        return (UInt8(parts.0), UInt8(parts.1), UInt8(parts.2), UInt8(parts.3))
    }

    public var stoppedCount: Int { table.withLock { $0.stopped.count } }

    static func set(_ t: inout Table, _ client: Int64, _ addresses: [IPPrefix]) {
        var touched: Set<IPPrefix.Family> = []
        for old in t.byClient[client] ?? [] where t.owner[old] == client {
            t.owner[old] = nil
            if let k = v4Key(old) { t.v4Owner[k] = nil }
            t.lengthCounts[old.family, default: [:]][old.length, default: 1] -= 1
            touched.insert(old.family)
        }
        for p in addresses {
            if let k = v4Key(p) { t.v4Owner[k] = (client, p) }
            if t.owner.updateValue(client, forKey: p) == nil {
                t.lengthCounts[p.family, default: [:]][p.length, default: 0] += 1
            }
            touched.insert(p.family)
        }
        t.byClient[client] = addresses
        for family in touched {
            t.lengths[family] = (t.lengthCounts[family] ?? [:]).filter { $0.value > 0 }.keys.sorted(by: >)
        }
        t.v4Lengths = t.lengths[.ipv4] ?? []
    }
}
