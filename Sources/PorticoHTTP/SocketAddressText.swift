#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Formats socket addresses as text with `inet_ntop`, without Foundation.
enum SocketAddressText {
    /// The textual IP of `address`; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is given
    /// as plain IPv4, so a client is named the same whether the listener is IPv4 or dual stack.
    static func ip(_ address: UnsafePointer<sockaddr>) -> String {
        if let v4 = ipv4(address) { return dotted(v4) }
        guard Int32(address.pointee.sa_family) == AF_INET6 else { return "" }
        return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
            var raw = ipv6.pointee.sin6_addr
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            return format(AF_INET6, &raw, &buffer)
        }
    }

    /// The IPv4 address of `address` in host byte order, an IPv4-mapped IPv6 one included; nil
    /// for any other IPv6 address.
    static func ipv4(_ address: UnsafePointer<sockaddr>) -> UInt32? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                withUnsafeBytes(of: ipv6.pointee.sin6_addr) { b in
                    guard b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF else { return nil }
                    return UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
                }
            }
        default:
            return nil
        }
    }

    /// The port of an IPv4 or IPv6 address, or 0.
    static func port(of storage: inout sockaddr_storage) -> UInt16 {
        withUnsafePointer(to: &storage) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin_port)
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            default:
                return 0
            }
        }
    }

    /// `a.b.c.d` for an address in host order, written without inet_ntop or a heap buffer:
    /// it runs for every request, and at most 15 bytes make a small (inline) String.
    static func dotted(_ address: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { out in
            var n = 0
            var shift: UInt32 = 32
            while shift > 0 {
                shift -= 8
                let octet = UInt8(truncatingIfNeeded: address >> shift)
                if octet >= 100 {
                    out[n] = 48 + octet / 100
                    n += 1
                }
                if octet >= 10 {
                    out[n] = 48 + octet / 10 % 10
                    n += 1
                }
                out[n] = 48 + octet % 10
                n += 1
                if shift != 0 {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                }
            }
            return n
        }
    }

    private static func format(_ family: Int32, _ raw: UnsafeRawPointer, _ buffer: inout [CChar]) -> String {
        let count = socklen_t(buffer.count)
        return buffer.withUnsafeMutableBufferPointer { out in
            guard inet_ntop(family, raw, out.baseAddress, count) != nil, let base = out.baseAddress else { return "" }
            return String(cString: base)
        }
    }
}
