import CNetfilter
import Glibc

/// One `NETLINK_NETFILTER` socket (libmnl) with its sequence numbers. Not thread-safe: its owner
/// (`NftablesFirewall`) only touches it under a lock.
final class NetlinkSocket {
    private let handle: OpaquePointer
    private(set) var portid: UInt32
    private(set) var nextSeq: UInt32
    /// A whole datagram must fit: dumps send up to 32 KB per datagram.
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private var sendBufferSize = 0

    /// Opens and binds the socket, inside `namespace` (a name under /var/run/netns) when given.
    /// `groups`: multicast groups to join (conntrack events), 0 for none.
    init(namespace: String?, receiveBufferBytes: Int32 = 8 << 20, groups: UInt32 = 0) throws {
        handle = try NetworkNamespace.run(in: namespace) { () throws(NetlinkError) -> OpaquePointer in
            try check("mnl_socket_open(NETLINK_NETFILTER)", mnl_socket_open(NETLINK_NETFILTER))
        }
        receiveBuffer = .allocate(byteCount: 1 << 18, alignment: 8)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        nextSeq = UInt32(truncatingIfNeeded: now.tv_sec)
        portid = 0
        do {
            try check("mnl_socket_bind", mnl_socket_bind(handle, groups, pid_t(MNL_SOCKET_AUTOPID)))
            portid = mnl_socket_get_portid(handle)
            var on: Int32 = 1
            // Errors carry only the failing message's header, not a 60 KB element message back.
            try check(
                "setsockopt(NETLINK_CAP_ACK)",
                mnl_socket_setsockopt(handle, NETLINK_CAP_ACK, &on, socklen_t(MemoryLayout<Int32>.size)))
            // The kernel's own words ("Could not process rule: ...") come back with the errno.
            _ = mnl_socket_setsockopt(handle, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
            var bytes = receiveBufferBytes
            // Thousands of ACKs of one batch wait in the receive queue until read.
            try check(
                "setsockopt(SO_RCVBUFFORCE)",
                setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size)))
            // Never wait forever for an answer the kernel will not send.
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            try check(
                "setsockopt(SO_RCVTIMEO)",
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)))
        } catch {
            // Every stored property is set by now, so a throw here runs `deinit`, which closes
            // the socket and frees the buffer; doing it here as well was a double free.
            throw error
        }
    }

    deinit {
        mnl_socket_close(handle)
        receiveBuffer.deallocate()
    }

    var fd: Int32 { mnl_socket_get_fd(handle) }

    /// Hands out `count` consecutive sequence numbers.
    func takeSequenceNumbers(_ count: Int) -> UInt32 {
        let first = nextSeq
        nextSeq &+= UInt32(truncatingIfNeeded: count)
        return first
    }

    /// Sends one datagram. A netfilter batch must arrive whole, in one datagram, so the send
    /// buffer is raised to fit it (SO_SNDBUFFORCE, as `nft` does).
    func send(_ bytes: UnsafeRawBufferPointer, operation: String) throws(NetlinkError) {
        if bytes.count + 4096 > sendBufferSize {
            var size = Int32(clamping: bytes.count + 65536)
            try check(
                "setsockopt(SO_SNDBUFFORCE)",
                setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)))
            sendBufferSize = Int(size)
        }
        let sent = try check(operation, mnl_socket_sendto(handle, bytes.baseAddress, bytes.count))
        if sent != bytes.count { throw NetlinkError(errno: EMSGSIZE, operation: operation) }
    }

    /// Receives one datagram and calls `body` for each message in it that is addressed to this
    /// socket (port id checked). Returns false when `body` asked to stop.
    func receive(operation: String, _ body: (NetlinkMessage) throws -> Bool) throws -> Bool {
        while true {
            let n = mnl_socket_recvfrom(handle, receiveBuffer.baseAddress, receiveBuffer.count)
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw NetlinkError(errno: Glibc.errno, operation: "\(operation): receive")
            }
            var keepGoing = true
            for message in NetlinkMessage.parse(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])) {
                guard message.portid == portid || message.portid == 0 else { continue }
                if try !body(message) { keepGoing = false }
            }
            return keepGoing
        }
    }

    /// Receives whatever datagrams are already queued, without waiting, and calls `body` for each
    /// message. Throws ENOBUFS when the kernel had to drop messages (receive queue overflow).
    func drain(_ body: (NetlinkMessage) throws -> Void) throws {
        while true {
            let n = recv(fd, receiveBuffer.baseAddress, receiveBuffer.count, Int32(MSG_DONTWAIT))
            if n < 0 {
                switch Glibc.errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return
                default: throw NetlinkError(errno: Glibc.errno, operation: "read conntrack events")
                }
            }
            for message in NetlinkMessage.parse(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])) {
                try body(message)
            }
        }
    }

    /// Reads answers until every sequence number in `labels` has its ACK or error. Every ACK is
    /// read, including those after a failure, so the next request starts on an empty queue.
    /// Throws the error of the earliest failing message.
    func awaitAcknowledgements(_ labels: [UInt32: String], batchSeq: UInt32? = nil, ignoring: Set<Int32> = [])
        throws
    {
        var pending = Set(labels.keys)
        var failures: [(UInt32, NetlinkError)] = []
        while !pending.isEmpty {
            _ = try receive(operation: "read acknowledgements") { message in
                guard message.type == UInt16(NLMSG_ERROR), let code = message.errorCode else { return true }
                if let batchSeq, message.seq == batchSeq, code != 0 {
                    // The kernel refused the batch as a whole (for example ENOMEM): no per-message ACKs follow.
                    pending.removeAll()
                    failures.append(
                        (message.seq, NetlinkError(errno: code, operation: "netfilter batch" + message.kernelText)))
                    return false
                }
                guard pending.remove(message.seq) != nil else { return true }
                if code != 0 && !ignoring.contains(code) {
                    let label = labels[message.seq] ?? "message \(message.seq)"
                    failures.append((message.seq, NetlinkError(errno: code, operation: label + message.kernelText)))
                }
                return true
            }
        }
        // Sequence numbers may wrap: order by distance from the first one asked for.
        let base = batchSeq ?? labels.keys.min() ?? 0
        if let first = failures.min(by: { $0.0 &- base < $1.0 &- base }) { throw first.1 }
    }

    /// Sends a dump request built by `build` (header and attributes at the given pointer) and
    /// calls `body` for each answer until NLMSG_DONE. Restarts when the kernel flags the dump as
    /// interrupted by a concurrent change (NLM_F_DUMP_INTR).
    func dump(
        operation: String, build: (UnsafeMutableRawPointer, UInt32) -> Void, _ body: (NetlinkMessage) throws -> Void
    ) throws {
        let request = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { request.deallocate() }
        for _ in 0..<5 {
            request.initializeMemory(as: UInt8.self, repeating: 0)
            let seq = takeSequenceNumbers(1)
            build(request.baseAddress!, seq)
            let length = Int(request.load(as: nlmsghdr.self).nlmsg_len)
            try send(UnsafeRawBufferPointer(rebasing: request[0..<length]), operation: operation)
            var interrupted = false
            var done = false
            while !done {
                _ = try receive(operation: operation) { message in
                    guard message.seq == seq else { return true }
                    if message.flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                    switch Int32(message.type) {
                    case NLMSG_DONE:
                        done = true
                        return false
                    case NLMSG_ERROR:
                        let code = message.errorCode ?? EPROTO
                        if code == 0 { return true }
                        if code == EINTR {
                            interrupted = true
                            done = true
                            return false
                        }
                        throw NetlinkError(errno: code, operation: operation + message.kernelText)
                    default:
                        try body(message)
                        return true
                    }
                }
            }
            if !interrupted { return }
        }
        throw NetlinkError(errno: EINTR, operation: operation + " (interrupted five times)")
    }
}

/// One netlink message inside a received datagram (valid only during the callback).
struct NetlinkMessage {
    let header: UnsafeRawBufferPointer

    var type: UInt16 { header.load(fromByteOffset: 4, as: UInt16.self) }
    var flags: UInt16 { header.load(fromByteOffset: 6, as: UInt16.self) }
    var seq: UInt32 { header.load(fromByteOffset: 8, as: UInt32.self) }
    var portid: UInt32 { header.load(fromByteOffset: 12, as: UInt32.self) }

    /// The payload after the nlmsghdr and the 4-byte nfgenmsg.
    var attributes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: header[min(20, header.count)...]) }
    /// nfgenmsg.nfgen_family.
    var family: UInt8 { header.count > 16 ? header[16] : 0 }

    /// For NLMSG_ERROR: the positive errno, 0 for an ACK.
    var errorCode: Int32? {
        guard type == UInt16(NLMSG_ERROR), header.count >= 20 else { return nil }
        return -header.loadUnaligned(fromByteOffset: 16, as: Int32.self)
    }

    /// The extended-ACK text the kernel attached to an error, as " (kernel: ...)", or "".
    var kernelText: String {
        guard type == UInt16(NLMSG_ERROR), flags & UInt16(NLM_F_ACK_TLVS) != 0, header.count >= 36 else { return "" }
        let innerLength =
            flags & UInt16(NLM_F_CAPPED) != 0
            ? 16 : Int(header.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        let start = 20 + ((innerLength + 3) & ~3)
        guard start < header.count else { return "" }
        for (type, value) in NetlinkAttributes(UnsafeRawBufferPointer(rebasing: header[start...]))
        where type == UInt16(NLMSGERR_ATTR_MSG.rawValue) {
            return " (kernel: \(String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)))"
        }
        return ""
    }

    static func parse(_ datagram: UnsafeRawBufferPointer) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= 16, offset + length <= datagram.count else { break }
            out.append(NetlinkMessage(header: UnsafeRawBufferPointer(rebasing: datagram[offset..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return out
    }
}

/// The attributes (type, value) in a run of netlink attributes; `type` has the nested and
/// byte-order flags masked off.
struct NetlinkAttributes: Sequence, IteratorProtocol {
    private var rest: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { rest = bytes }

    mutating func next() -> (UInt16, UnsafeRawBufferPointer)? {
        guard rest.count >= 4 else { return nil }
        let length = Int(rest.loadUnaligned(as: UInt16.self))
        // 0x3FFF is NLA_TYPE_MASK (a macro): the type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
        let type = rest.loadUnaligned(fromByteOffset: 2, as: UInt16.self) & 0x3FFF
        guard length >= 4, length <= rest.count else { return nil }
        let value = UnsafeRawBufferPointer(rebasing: rest[4..<length])
        let advance = Swift.min((length + 3) & ~3, rest.count)
        rest = UnsafeRawBufferPointer(rebasing: rest[advance...])
        return (type, value)
    }

    /// The first attribute of `type`.
    static func find(_ type: Int32, in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        for (t, value) in NetlinkAttributes(bytes) where t == UInt16(type) { return value }
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// A NUL-terminated string attribute.
    var netlinkString: String { String(decoding: prefix { $0 != 0 }, as: UTF8.self) }
    /// A big-endian u32 attribute.
    var netlinkU32: UInt32 { count >= 4 ? UInt32(bigEndian: loadUnaligned(as: UInt32.self)) : 0 }
}
