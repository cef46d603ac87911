import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a test client saw for one response.
public struct TestResponse {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

public enum TestClientError: Error, Equatable {
    case socket(String, Int32)
    case closedBeforeResponse
    case malformed(String)
}

/// A minimal HTTP/1.1 client over BSD sockets: binds a chosen source address (the portal
/// recognises clients by it), sends raw bytes and reads responses one after another on the
/// same connection (keep-alive).
public final class TestConnection {
    public let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host`:`port` from `source` (any port), with a receive timeout.
    public init(host: String = "127.0.0.1", port: UInt16, source: String? = nil, timeoutSeconds: Int = 5) throws {
        let isIPv6 = host.contains(":")
        let family = isIPv6 ? AF_INET6 : AF_INET
        descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError.socket("socket", errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            try withAddress(source, port: 0) { address, length in
                guard bind(descriptor, address, length) == 0 else { throw TestClientError.socket("bind", errno) }
            }
        }
        try withAddress(host, port: port) { address, length in
            guard connect(descriptor, address, length) == 0 else { throw TestClientError.socket("connect", errno) }
        }
    }

    deinit { close(descriptor) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestClientError.socket("send", errno) }
            offset += sent
        }
    }

    /// Sends a request with `Content-Length` when there is a body; keep-alive unless told.
    @discardableResult
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        host: String = "portal.test"
    ) throws -> TestResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    /// Reads one response (Content-Length or chunked body).
    public func readResponse() throws -> TestResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestClientError.malformed(head) }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        if let length = response.header("Content-Length").flatMap(Int.init) {
            try fill(length)
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                let lineEnd = try readUntil(Array("\r\n".utf8))
                let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self), radix: 16) ?? 0
                buffer.removeFirst(lineEnd + 2)
                try fill(size + 2)
                response.body += buffer[..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        }
        return response
    }

    /// True when the server closes (EOF or reset) within the receive timeout, having sent
    /// nothing more.
    public func closedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count == 0 { return true }
        if count < 0 { return errno == ECONNRESET }
        return false
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let range = firstRange(of: marker) { return range }
            try receiveMore()
        }
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count { try receiveMore() }
    }

    private func receiveMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count == 0 || (count < 0 && errno == ECONNRESET) { throw TestClientError.closedBeforeResponse }
        guard count > 0 else { throw TestClientError.socket("recv", errno) }
        buffer += chunk[..<count]
    }

    private func firstRange(of marker: [UInt8]) -> Int? {
        guard buffer.count >= marker.count else { return nil }
        for start in 0...(buffer.count - marker.count)
        where buffer[start..<(start + marker.count)].elementsEqual(marker) {
            return start
        }
        return nil
    }
}

/// Calls `body` with a sockaddr for a numeric IPv4 or IPv6 address.
public func withAddress<T>(
    _ host: String, port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T
) throws -> T {
    if host.contains(":") {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw TestClientError.malformed(host) }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw TestClientError.malformed(host) }
    return try withUnsafePointer(to: &address) {
        try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
}
