import CNetfilter
import Glibc
import PorticoCore

/// One element range of an interval set: [start, end), `end` nil up to the top of the space.
struct SetInterval: Hashable, Comparable {
    let family: IPPrefix.Family
    let start: UInt128
    let end: UInt128?

    init(family: IPPrefix.Family, start: UInt128, end: UInt128?) {
        self.family = family
        self.start = start
        self.end = end
    }

    init(_ prefix: IPPrefix) {
        family = prefix.family
        start = prefix.startValue
        end = prefix.endBytes.map(IPPrefix.value(of:))
    }

    var prefixes: [IPPrefix] { IPPrefix.covering(start: start, end: end, family: family) }

    static func < (a: SetInterval, b: SetInterval) -> Bool {
        if a.family != b.family { return a.family < b.family }
        if a.start != b.start { return a.start < b.start }
        return (a.end ?? .max) < (b.end ?? .max)
    }
}

/// Element messages for the interval sets, built straight with libmnl (a start element, and an
/// end element flagged NFT_SET_ELEM_INTERVAL_END), and the dump of a set read back.
enum SetElements {
    /// The kernel's attribute length is 16 bits: a message whose element list passes 64 KB is
    /// silently truncated (INTEROP.md: the 4,095-element trap). Stop each message well below.
    static let maximumListBytes = 60_000
    static let maximumElements = 4_000

    /// Appends as many messages as needed to add (NEWSETELEM) or remove (DESTROYSETELEM)
    /// `intervals` in `set`. Returns the number of messages.
    @discardableResult
    static func append(
        _ intervals: [SetInterval], to set: Ruleset.SetSpec, adding: Bool, batch: NetlinkBatch
    ) -> Int {
        let type = adding ? UInt16(NFT_MSG_NEWSETELEM.rawValue) : NftablesMessage.destroySetElements
        let verb = adding ? "add" : "delete"
        let keyLength = Int(set.keyLength)
        // Per element: list-element nest 4 + key nest 4 + value 4 + key; end elements + flags 8.
        // Per interval: a start element (list-element nest 4 + key nest 4 + value 4 + key), and in
        // an interval set an end element (the same + flags 8).
        let startBytes = 12 + keyLength
        let intervalBytes = set.interval ? 2 * startBytes + 8 : startBytes
        let perMessage = min(maximumElements / (set.interval ? 2 : 1), maximumListBytes / intervalBytes)
        var messages = 0
        var index = 0
        var key = [UInt8](repeating: 0, count: keyLength)
        while index < intervals.count {
            let chunk = intervals[index..<min(index + perMessage, intervals.count)]
            index += chunk.count
            messages += 1
            let label =
                "\(verb) \(chunk.count) elements in \(set.name) (\(chunk.first!.prefixes.first?.description ?? "?") …)"
            batch.appendNftables(type, flags: adding ? NLM_F_CREATE : 0, label: label) { nlh in
                mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_TABLE.rawValue), Ruleset.table)
                mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_SET.rawValue), set.name)
                mnl_attr_put_u32(nlh, UInt16(NFTA_SET_ELEM_LIST_SET_ID.rawValue), set.id.bigEndian)
                let list = mnl_attr_nest_start(nlh, UInt16(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue))
                for interval in chunk {
                    put(interval.start, keyLength: keyLength, end: false, nlh: nlh, key: &key)
                    // A hash set holds single addresses: the key alone.
                    if set.interval, let end = interval.end {
                        put(end, keyLength: keyLength, end: true, nlh: nlh, key: &key)
                    }
                }
                mnl_attr_nest_end(nlh, list)
            }
        }
        return messages
    }

    private static func put(
        _ value: UInt128, keyLength: Int, end: Bool, nlh: UnsafeMutablePointer<nlmsghdr>, key: inout [UInt8]
    ) {
        for i in 0..<keyLength { key[i] = UInt8(truncatingIfNeeded: value >> (8 * (keyLength - 1 - i))) }
        let element = mnl_attr_nest_start(nlh, UInt16(NFTA_LIST_ELEM.rawValue))
        let keyNest = mnl_attr_nest_start(nlh, UInt16(NFTA_SET_ELEM_KEY.rawValue))
        key.withUnsafeBytes { mnl_attr_put(nlh, UInt16(NFTA_DATA_VALUE.rawValue), keyLength, $0.baseAddress) }
        mnl_attr_nest_end(nlh, keyNest)
        if end {
            mnl_attr_put_u32(
                nlh, UInt16(NFTA_SET_ELEM_FLAGS.rawValue), UInt32(NFT_SET_ELEM_INTERVAL_END.rawValue).bigEndian)
        }
        mnl_attr_nest_end(nlh, element)
    }

    /// Reads the elements of `set` and pairs them back into intervals.
    ///
    /// A set dump goes out in chunks of ~32 KB and each chunk re-walks the set skipping what was
    /// already sent. A hash set that the kernel is resizing (which it does in the background for
    /// a while after a large insert) changes its walk order between chunks: the dump then holds
    /// duplicates in place of missed elements, with the right count. Duplicates therefore mean
    /// "read again"; a consistent dump has none.
    static func read(_ set: Ruleset.SetSpec, socket: NetlinkSocket) throws -> [SetInterval] {
        for _ in 0..<100 {
            let elements = try readOnce(set, socket: socket)
            if set.interval || Set(elements.lazy.map(\.key)).count == elements.count {
                return intervals(elements, set: set)
            }
            usleep(20_000)
        }
        throw NetlinkError(
            errno: EAGAIN, operation: "list elements of \(set.name): the set kept changing during the dump")
    }

    private static func readOnce(_ set: Ruleset.SetSpec, socket: NetlinkSocket) throws -> [(key: UInt128, isEnd: Bool)]
    {
        var elements: [(key: UInt128, isEnd: Bool)] = []
        try socket.dump(operation: "list elements of \(set.name)") { at, seq in
            let nlh = nftnl_nlmsg_build_hdr(
                at.assumingMemoryBound(to: CChar.self), UInt16(NFT_MSG_GETSETELEM.rawValue), UInt16(NFPROTO_INET),
                UInt16(NLM_F_DUMP), seq)!
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_TABLE.rawValue), Ruleset.table)
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_SET.rawValue), set.name)
        } _: { message in
            guard let list = NetlinkAttributes.find(Int32(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue), in: message.attributes)
            else { return }
            for (type, element) in NetlinkAttributes(list) where type == UInt16(NFTA_LIST_ELEM.rawValue) {
                guard let keyNest = NetlinkAttributes.find(Int32(NFTA_SET_ELEM_KEY.rawValue), in: element),
                    let value = NetlinkAttributes.find(Int32(NFTA_DATA_VALUE.rawValue), in: keyNest)
                else { continue }
                let flags = NetlinkAttributes.find(Int32(NFTA_SET_ELEM_FLAGS.rawValue), in: element)?.netlinkU32 ?? 0
                elements.append(
                    (IPPrefix.value(of: Array(value)), flags & UInt32(NFT_SET_ELEM_INTERVAL_END.rawValue) != 0))
            }
        }
        return elements
    }

    private static func intervals(_ elements: [(key: UInt128, isEnd: Bool)], set: Ruleset.SetSpec) -> [SetInterval] {
        guard set.interval else {
            let top: UInt128 = set.family == .ipv4 ? 0xFFFF_FFFF : .max
            return elements.map {
                SetInterval(family: set.family, start: $0.key, end: $0.key == top ? nil : $0.key + 1)
            }.sorted()
        }
        return pair(elements, family: set.family)
    }

    /// Groups intervals by the set they belong in, in `Ruleset.sets` order.
    static func grouped(_ prefixes: [IPPrefix], by set: (IPPrefix) -> Ruleset.SetSpec) -> [(
        Ruleset.SetSpec, [SetInterval]
    )] {
        var groups: [String: [SetInterval]] = [:]
        for prefix in prefixes { groups[set(prefix).name, default: []].append(SetInterval(prefix)) }
        return Ruleset.sets.compactMap { spec in groups[spec.name].map { (spec, $0) } }
    }

    /// Sorted by key with an end before a start at the same key (adjacent intervals), each start
    /// closes at the next end; a start with no end runs to the top of the space. An end with no
    /// start (the leading 0 end some tools add) is ignored.
    static func pair(_ elements: [(key: UInt128, isEnd: Bool)], family: IPPrefix.Family) -> [SetInterval] {
        let sorted = elements.sorted { $0.key != $1.key ? $0.key < $1.key : ($0.isEnd && !$1.isEnd) }
        var out: [SetInterval] = []
        var open: UInt128?
        for element in sorted {
            if element.isEnd {
                if let start = open { out.append(SetInterval(family: family, start: start, end: element.key)) }
                open = nil
            } else {
                if let start = open { out.append(SetInterval(family: family, start: start, end: element.key)) }
                open = element.key
            }
        }
        if let start = open { out.append(SetInterval(family: family, start: start, end: nil)) }
        return out
    }
}
