#if canImport(Glibc)
    import Glibc
#endif

/// A failed socket call: which one, and errno.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let errno: Int32

    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// A numeric IPv4 or IPv6 address and a port, as a `sockaddr_storage` (host names are never
/// resolved: a NAS is configured by address).
struct SocketAddress: Sendable, CustomStringConvertible {
    let storage: sockaddr_storage
    let length: socklen_t
    let family: Int32
    let text: String
    let port: UInt16

    var description: String { family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)" }

    /// nil unless `host` is a numeric IPv4 or IPv6 address.
    init?(host: String, port: UInt16) {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.withMemoryRebound(to: sockaddr_in.self) { address in
                    address[0].sin_family = sa_family_t(AF_INET)
                    address[0].sin_port = port.bigEndian
                    address[0].sin_addr = v4
                }
            }
            self.length = socklen_t(MemoryLayout<sockaddr_in>.size)
            self.family = AF_INET
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.withMemoryRebound(to: sockaddr_in6.self) { address in
                    address[0].sin6_family = sa_family_t(AF_INET6)
                    address[0].sin6_port = port.bigEndian
                    address[0].sin6_addr = v6
                }
            }
            self.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            self.family = AF_INET6
        } else {
            return nil
        }
        self.storage = storage
        self.text = host
        self.port = port
    }

    /// Whether a received packet's source is this address and port (compared as bytes of the
    /// address, so "::1" and "0:0::1" are the same).
    func matches(_ other: sockaddr_storage) -> Bool {
        var mine = storage
        var theirs = other
        guard Int32(theirs.ss_family) == family else { return false }
        if family == AF_INET {
            return withUnsafeBytes(of: &mine) { a in
                withUnsafeBytes(of: &theirs) { b in
                    let x = a.load(as: sockaddr_in.self)
                    let y = b.load(as: sockaddr_in.self)
                    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr
                }
            }
        }
        return withUnsafeBytes(of: &mine) { a in
            withUnsafeBytes(of: &theirs) { b in
                let x = a.load(as: sockaddr_in6.self)
                let y = b.load(as: sockaddr_in6.self)
                return x.sin6_port == y.sin6_port
                    && withUnsafeBytes(of: x.sin6_addr) { p in
                        withUnsafeBytes(of: y.sin6_addr) { q in p.elementsEqual(q) }
                    }
            }
        }
    }

    /// The address of a received packet's source as text with its port, for a log line.
    static func describe(_ address: sockaddr_storage) -> String {
        var copy = address
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return withUnsafeBytes(of: &copy) { raw in
            if Int32(address.ss_family) == AF_INET {
                var a = raw.load(as: sockaddr_in.self)
                inet_ntop(AF_INET, &a.sin_addr, &buffer, socklen_t(buffer.count))
                return "\(String(cString: buffer)):\(UInt16(bigEndian: a.sin_port))"
            }
            var a = raw.load(as: sockaddr_in6.self)
            inet_ntop(AF_INET6, &a.sin6_addr, &buffer, socklen_t(buffer.count))
            return "[\(String(cString: buffer))]:\(UInt16(bigEndian: a.sin6_port))"
        }
    }
}

/// An unconnected UDP socket on an ephemeral port: the one place PorticoRadius calls the C
/// socket API, each call checked and turned into a `SocketError`.
///
/// Unconnected on purpose: a reply from any other address reaches `receive` and is refused (and
/// logged) there, rather than being dropped unseen by the kernel.
final class UDPSocket {
    let descriptor: Int32

    /// socket(2) for `family`, close-on-exec.
    init(family: Int32) throws(SocketError) {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", errno: errno) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// sendto(2) of the whole datagram.
    func send(_ bytes: [UInt8], to address: SocketAddress) throws(SocketError) {
        var storage = address.storage
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes {
                    sendto(descriptor, $0.baseAddress, $0.count, 0, sockaddrPointer, address.length)
                }
            }
        }
        guard sent == bytes.count else { throw SocketError(operation: "sendto \(address)", errno: errno) }
    }

    /// What `receive` found before its deadline.
    enum Received {
        case datagram([UInt8], from: sockaddr_storage)
        /// The deadline passed.
        case nothing
    }

    /// poll(2) until `deadline`, then recvfrom(2) one datagram (up to 4096 octets, RADIUS's
    /// maximum; a longer one is cut and then fails to decode).
    func receive(until deadline: ContinuousClock.Instant) throws(SocketError) -> Received {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .nothing }
            let milliseconds = Int32(
                clamping: (left.components.seconds * 1000) + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SocketError(operation: "poll", errno: errno)
            }
            guard ready > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var source = sockaddr_storage()
            var sourceLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &source) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &sourceLength)
                    }
                }
            }
            if count < 0 {
                // An unconnected socket gets no ICMP errors (port unreachable shows as silence).
                if errno == EINTR || errno == EAGAIN { continue }
                throw SocketError(operation: "recvfrom", errno: errno)
            }
            return .datagram(Array(buffer[..<count]), from: source)
        }
    }
}
