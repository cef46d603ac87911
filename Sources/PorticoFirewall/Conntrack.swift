import CNetfilter
import Glibc
import PorticoCore

/// Deleting connection-tracking entries by original source, with libnetfilter_conntrack over a
/// libmnl socket: a NAT-ed connection keeps its translation for as long as its entry lives, so a
/// released client's open keep-alive connection would otherwise go on reaching the portal.
enum Conntrack {
    /// Dumps the entries of each family involved (the kernel filters by family), picks those
    /// whose original source is inside `prefixes`, and deletes them in one datagram, reading every
    /// ACK. An entry that vanished meanwhile (ENOENT) is not an error. Returns how many it deleted.
    static func deleteEntries(sourcesIn prefixes: [IPPrefix], socket: NetlinkSocket) throws -> Int {
        var matches: [(ct: OpaquePointer, l3: UInt8)] = []
        defer { matches.forEach { nfct_destroy($0.ct) } }
        for family in Set(prefixes.map(\.family)).sorted() {
            let inFamily = prefixes.filter { $0.family == family }
            let l3 = UInt8(family == .ipv4 ? AF_INET : AF_INET6)
            try socket.dump(operation: "list conntrack entries") { at, seq in
                header(at, type: UInt16(IPCTNL_MSG_CT_GET.rawValue), flags: NLM_F_REQUEST | NLM_F_DUMP, seq: seq, family: l3)
            } _: { message in
                guard let ct = nfct_new() else { throw NetlinkError(errno: ENOMEM, operation: "nfct_new") }
                var keep = false
                defer { if !keep { nfct_destroy(ct) } }
                guard nfct_nlmsg_parse(message.header.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), ct) >= 0,
                    let source = originalSource(ct, family: family)
                else { return }
                if inFamily.contains(where: { $0.contains(source) }) {
                    keep = true
                    matches.append((ct, l3))
                }
            }
        }
        guard !matches.isEmpty else { return 0 }
        // Sequence numbers are taken only now: the dumps above used some.
        let deletions = NetlinkBatch(firstSeq: socket.nextSeq, capacity: 16 * 1024)
        for (ct, l3) in matches {
            deletions.append(label: "delete conntrack entry") { at, seq in
                let nlh = header(at, type: UInt16(IPCTNL_MSG_CT_DELETE.rawValue), flags: NLM_F_REQUEST | NLM_F_ACK, seq: seq, family: l3)
                // The whole entry goes back, its CTA_ID included, so only that entry is deleted.
                _ = nfct_nlmsg_build(nlh, ct)
            }
        }
        _ = socket.takeSequenceNumbers(deletions.messageCount)
        try socket.send(deletions.bytes, operation: "delete conntrack entries")
        try socket.awaitAcknowledgements(deletions.labels, ignoring: [ENOENT])
        return deletions.messageCount
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

    private static func originalSource(_ ct: OpaquePointer, family: IPPrefix.Family) -> IPPrefix? {
        if family == .ipv4 {
            guard nfct_attr_is_set(ct, ATTR_ORIG_IPV4_SRC) > 0 else { return nil }
            let value = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC)  // network order in memory
            let bytes = withUnsafeBytes(of: value) { Array($0) }
            return try? IPPrefix(family: .ipv4, bytes: bytes, length: 32)
        }
        guard nfct_attr_is_set(ct, ATTR_ORIG_IPV6_SRC) > 0, let raw = nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC) else { return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: raw, count: 16))
        return try? IPPrefix(family: .ipv6, bytes: bytes, length: 128)
    }
}
