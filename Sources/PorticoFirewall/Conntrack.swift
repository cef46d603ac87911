import CNetfilter
import Glibc
import PorticoCore

/// Deleting connection-tracking entries by original source, with libnetfilter_conntrack over a
/// libmnl socket: a NAT-ed connection keeps its translation for as long as its entry lives, so a
/// released client's open keep-alive connection would otherwise go on reaching the portal.
///
/// Listing entries means walking the whole conntrack hash table (262,144 buckets here, ~13 ms),
/// so with a mark bit configured Portico keeps an index instead: the nat rules mark every
/// connection a suspended client opens, a socket subscribed to conntrack NEW/DESTROY events
/// (filtered in the kernel by that mark with a BPF program) feeds the index, and a release
/// deletes exactly the indexed entries of its prefixes. Entries from before the sockets opened
/// are found by one filtered walk at the first release, and again if the event queue ever
/// overflows. Connections a client opened before it was suspended are not marked and are left
/// alone: Portico never redirected them.
final class ConntrackIndex {
    private let events: NetlinkSocket
    let markBit: UInt32
    private var entries: [UInt32: (source: IPPrefix, ct: OpaquePointer)] = [:]
    private var bySource: [IPPrefix: Set<UInt32>] = [:]
    private var seeded = false

    init(namespace: String?, markBit: UInt32) throws {
        self.markBit = markBit
        events = try NetlinkSocket(
            namespace: namespace, receiveBufferBytes: 8 << 20,
            groups: UInt32(NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY))
        guard let filter = nfct_filter_create() else {
            throw NetlinkError(errno: ENOMEM, operation: "nfct_filter_create")
        }
        defer { nfct_filter_destroy(filter) }
        var mark = nfct_filter_dump_mark(val: markBit, mask: markBit)
        nfct_filter_add_attr(filter, NFCT_FILTER_MARK, &mark)
        try check("nfct_filter_attach (conntrack events by mark)", nfct_filter_attach(events.fd, filter))
    }

    deinit { entries.values.forEach { nfct_destroy($0.ct) } }

    var count: Int { entries.count }

    /// Brings the index up to date: pending events, or a fresh walk when it never had one or
    /// events were lost.
    func refresh(socket: NetlinkSocket) throws {
        if seeded {
            do {
                try events.drain { message in apply(message) }
                return
            } catch let error as NetlinkError where error.errno == ENOBUFS {
                seeded = false
            }
        }
        // Events first, so nothing that happens during the walk is lost (duplicates are harmless).
        try? events.drain { _ in }
        entries.values.forEach { nfct_destroy($0.ct) }
        entries = [:]
        bySource = [:]
        try Conntrack.walk(family: UInt8(AF_UNSPEC), markBit: markBit, socket: socket) { ct in add(ct) }
        try events.drain { message in apply(message) }
        seeded = true
    }

    /// Indexed entries whose original source lies in `prefixes`.
    func matching(_ prefixes: [IPPrefix]) -> [(id: UInt32, ct: OpaquePointer)] {
        var ids = Set<UInt32>()
        for prefix in prefixes {
            if prefix.isSingleAddress {
                ids.formUnion(bySource[prefix] ?? [])
            } else {
                for (source, set) in bySource where prefix.contains(source) { ids.formUnion(set) }
            }
        }
        return ids.compactMap { id in entries[id].map { (id, $0.ct) } }
    }

    func forget(_ id: UInt32) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        bySource[entry.source]?.remove(id)
        if bySource[entry.source]?.isEmpty == true { bySource[entry.source] = nil }
        nfct_destroy(entry.ct)
    }

    private func apply(_ message: NetlinkMessage) {
        let type = UInt8(truncatingIfNeeded: message.type)
        guard message.type >> 8 == UInt16(NFNL_SUBSYS_CTNETLINK), let ct = nfct_new() else { return }
        guard nfct_nlmsg_parse(message.header.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), ct) >= 0 else {
            nfct_destroy(ct)
            return
        }
        if type == UInt8(IPCTNL_MSG_CT_DELETE.rawValue) {
            forget(nfct_get_attr_u32(ct, ATTR_ID))
            nfct_destroy(ct)
        } else {
            add(ct)
        }
    }

    /// Takes ownership of `ct`.
    @discardableResult
    private func add(_ ct: OpaquePointer) -> Bool {
        guard nfct_attr_is_set(ct, ATTR_ID) > 0, let source = Conntrack.originalSource(ct) else {
            nfct_destroy(ct)
            return false
        }
        let id = nfct_get_attr_u32(ct, ATTR_ID)
        forget(id)
        entries[id] = (source, ct)
        bySource[source, default: []].insert(id)
        return true
    }
}

enum Conntrack {
    /// Deletes the entries whose original source is in `prefixes`: the indexed ones when there is
    /// an index, otherwise those a walk of each family's table finds. All deletions go in one
    /// datagram and every ACK is read; an entry that vanished meanwhile (ENOENT) is not an error.
    /// Returns how many it deleted.
    static func deleteEntries(sourcesIn prefixes: [IPPrefix], socket: NetlinkSocket, index: ConntrackIndex?) throws
        -> Int
    {
        if let index {
            try index.refresh(socket: socket)
            let found = index.matching(prefixes)
            // Gone from the index whatever happens: deleted now, or no longer in the kernel.
            defer { found.forEach { index.forget($0.id) } }
            return try delete(found.map(\.ct), socket: socket)
        }
        var walked: [OpaquePointer] = []
        defer { walked.forEach { nfct_destroy($0) } }
        for family in Set(prefixes.map(\.family)).sorted() {
            let inFamily = prefixes.filter { $0.family == family }
            try walk(family: UInt8(family == .ipv4 ? AF_INET : AF_INET6), markBit: nil, socket: socket) { ct in
                guard let source = originalSource(ct), inFamily.contains(where: { $0.contains(source) }) else {
                    return false
                }
                walked.append(ct)
                return true
            }
        }
        return try delete(walked, socket: socket)
    }

    /// Deletes in datagrams of at most 256 entries: their ACKs must fit the receive queue.
    private static func delete(_ entries: [OpaquePointer], socket: NetlinkSocket) throws -> Int {
        var deleted = 0
        var start = 0
        while start < entries.count {
            let end = min(start + 256, entries.count)
            deleted += try deleteChunk(entries[start..<end], socket: socket)
            start = end
        }
        return deleted
    }

    private static func deleteChunk(_ entries: ArraySlice<OpaquePointer>, socket: NetlinkSocket) throws -> Int {
        let deletions = NetlinkBatch(firstSeq: socket.nextSeq, capacity: 16 * 1024)
        for ct in entries {
            let l3 = UInt8(truncatingIfNeeded: nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO))
            deletions.append(label: "delete conntrack entry") { at, seq in
                let nlh = header(
                    at, type: UInt16(IPCTNL_MSG_CT_DELETE.rawValue), flags: NLM_F_REQUEST | NLM_F_ACK, seq: seq,
                    family: l3)
                // The whole entry goes back, its CTA_ID included, so only that entry is deleted.
                _ = nfct_nlmsg_build(nlh, ct)
            }
        }
        _ = socket.takeSequenceNumbers(deletions.messageCount)
        try socket.send(deletions.bytes, operation: "delete conntrack entries")
        try socket.awaitAcknowledgements(deletions.labels, ignoring: [ENOENT])
        return deletions.messageCount
    }

    /// Dumps the conntrack table of `family` (AF_UNSPEC: all), with the kernel keeping only
    /// entries carrying `markBit` when given. `body` gets each parsed entry and returns true to
    /// keep it (it then owns it).
    static func walk(family: UInt8, markBit: UInt32?, socket: NetlinkSocket, _ body: (OpaquePointer) throws -> Bool)
        throws
    {
        try socket.dump(operation: "list conntrack entries") { at, seq in
            let nlh = header(
                at, type: UInt16(IPCTNL_MSG_CT_GET.rawValue), flags: NLM_F_REQUEST | NLM_F_DUMP, seq: seq,
                family: family)
            if let markBit, let filter = nfct_filter_dump_create() {
                var mark = nfct_filter_dump_mark(val: markBit, mask: markBit)
                nfct_filter_dump_set_attr(filter, NFCT_FILTER_DUMP_MARK, &mark)
                _ = nfct_nlmsg_build_filter(nlh, filter)
                nfct_filter_dump_destroy(filter)
            }
        } _: { message in
            guard let ct = nfct_new() else { throw NetlinkError(errno: ENOMEM, operation: "nfct_new") }
            guard nfct_nlmsg_parse(message.header.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), ct) >= 0,
                try body(ct)
            else {
                nfct_destroy(ct)
                return
            }
        }
    }

    @discardableResult
    private static func header(
        _ at: UnsafeMutableRawPointer, type: UInt16, flags: Int32, seq: UInt32, family: UInt8
    ) -> UnsafeMutablePointer<nlmsghdr> {
        let nlh = mnl_nlmsg_put_header(at)!
        nlh.pointee.nlmsg_type = UInt16(NFNL_SUBSYS_CTNETLINK) << 8 | type
        nlh.pointee.nlmsg_flags = UInt16(flags)
        nlh.pointee.nlmsg_seq = seq
        let nfg = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<nfgenmsg>.size)!.assumingMemoryBound(to: nfgenmsg.self)
        nfg.pointee.nfgen_family = family
        nfg.pointee.version = UInt8(NFNETLINK_V0)
        nfg.pointee.res_id = 0
        return nlh
    }

    static func originalSource(_ ct: OpaquePointer) -> IPPrefix? {
        switch Int32(nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO)) {
        case AF_INET:
            guard nfct_attr_is_set(ct, ATTR_ORIG_IPV4_SRC) > 0 else { return nil }
            let value = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC)  // network order in memory
            return try? IPPrefix(family: .ipv4, bytes: withUnsafeBytes(of: value) { Array($0) }, length: 32)
        case AF_INET6:
            guard nfct_attr_is_set(ct, ATTR_ORIG_IPV6_SRC) > 0, let raw = nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC) else {
                return nil
            }
            return try? IPPrefix(
                family: .ipv6, bytes: Array(UnsafeRawBufferPointer(start: raw, count: 16)), length: 128)
        default:
            return nil
        }
    }
}
