import CNetfilter
import Glibc

/// A run of netlink messages built in one growing buffer and sent as one datagram. For nftables
/// it is framed by NFNL_MSG_BATCH_BEGIN/END, which makes it one atomic transaction.
final class NetlinkBatch {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var length = 0
    private var seq: UInt32
    let firstSeq: UInt32
    /// Sequence number → what the message does, for every message that asks for an ACK.
    private(set) var labels: [UInt32: String] = [:]
    private(set) var messageCount = 0

    /// Enough for any single message Portico builds: element messages stop at ~60 KB.
    static let messageRoom = 128 * 1024

    init(firstSeq: UInt32, capacity: Int = 256 * 1024) {
        self.firstSeq = firstSeq
        seq = firstSeq
        self.capacity = max(capacity, Self.messageRoom)
        storage = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Appends one message: `build` writes a complete nlmsghdr (and payload) at the pointer,
    /// using the sequence number given, in at most `messageRoom` bytes.
    func append(label: String?, _ build: (UnsafeMutableRawPointer, UInt32) -> Void) {
        reserve(Self.messageRoom)
        let at = storage + length
        memset(at, 0, 64)  // builders write every byte they claim; clear the headers only
        build(at, seq)
        let size = Int(at.load(as: nlmsghdr.self).nlmsg_len)
        precondition(size >= 16 && size <= Self.messageRoom, "netlink message of \(size) bytes")
        length += (size + 3) & ~3
        if let label { labels[seq] = label }
        seq &+= 1
        messageCount += 1
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: length) }

    private func reserve(_ extra: Int) {
        guard length + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < length + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage, byteCount: length)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    // MARK: nftables framing

    func beginTransaction() {
        append(label: nil) { at, seq in _ = nftnl_batch_begin(at.assumingMemoryBound(to: CChar.self), seq) }
    }

    func endTransaction() {
        append(label: nil) { at, seq in _ = nftnl_batch_end(at.assumingMemoryBound(to: CChar.self), seq) }
    }

    /// An nftables message for `inet` with NLM_F_ACK: header by `nftnl_nlmsg_build_hdr` (the
    /// per-object `nftnl_*_nlmsg_build_hdr` names are macros Swift does not import).
    func appendNftables(
        _ type: UInt16, flags: Int32, label: String, payload: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) {
        append(label: label) { at, seq in
            let nlh = nftnl_nlmsg_build_hdr(
                at.assumingMemoryBound(to: CChar.self), type, UInt16(NFPROTO_INET), UInt16(flags | NLM_F_ACK), seq)!
            payload(nlh)
        }
    }
}

/// Message types of nf_tables that Debian 12's <linux/netfilter/nf_tables.h> (6.1 uapi) lacks.
enum NftablesMessage {
    /// NFT_MSG_DESTROYTABLE (kernel ≥ 6.3): delete the table if it exists, no ENOENT.
    static let destroyTable: UInt16 = 26
    /// NFT_MSG_DESTROYSETELEM (kernel ≥ 6.3): delete elements, ignoring absent ones, so one
    /// absent element does not abort the whole batch (as NFT_MSG_DELSETELEM's ENOENT does).
    static let destroySetElements: UInt16 = 30
}

extension NetlinkSocket {
    /// Sends an nftables batch and waits for every ACK; throws the first error.
    func commit(_ batch: NetlinkBatch, operation: String) throws {
        precondition(batch.firstSeq == nextSeq, "batch built with stale sequence numbers")
        _ = takeSequenceNumbers(batch.messageCount)
        try send(batch.bytes, operation: operation)
        try awaitAcknowledgements(batch.labels, batchSeq: batch.firstSeq)
    }

    /// A batch whose sequence numbers continue this socket's.
    func makeBatch() -> NetlinkBatch { NetlinkBatch(firstSeq: nextSeq) }
}
