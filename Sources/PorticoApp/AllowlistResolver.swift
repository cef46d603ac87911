import Foundation
import Logging
import PorticoCore
import Synchronization

/// Turns the allowlist's host names (configured, and the payment gateway's) into addresses for
/// the allowed sets, periodically and away from any request.
///
/// Each name is resolved with `getaddrinfo` on a thread of its own, waited for at most
/// `timeout`: a resolver that hangs costs that thread, not the caller. A name whose lookup is
/// still running from an earlier pass is not looked up again until it returns. A failed or
/// timed-out lookup is logged and the name keeps its last good addresses, so a DNS outage never
/// empties the garden's exits.
public final class AllowlistResolver: Sendable {
    /// Looks one name up; throws when it cannot. Replaceable for tests.
    public typealias Lookup = @Sendable (String) throws -> [IPPrefix]

    public let hosts: [String]
    let timeout: Duration
    let lookup: Lookup
    let logger: Logger

    private struct State {
        var addresses: [String: [IPPrefix]] = [:]
        var inFlight: Set<String> = []
    }
    private let state = Mutex(State())

    public init(
        hosts: [String], timeout: Duration = .seconds(5), logger: Logger,
        lookup: @escaping Lookup = AllowlistResolver.getaddrinfo
    ) {
        var seen = Set<String>()
        self.hosts = hosts.map { $0.lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
        self.timeout = timeout
        self.lookup = lookup
        self.logger = logger
    }

    /// The last good addresses of every name, sorted, without duplicates. Never blocks on DNS.
    public var addresses: [IPPrefix] {
        state.withLock { Array(Set($0.addresses.values.joined())).sorted() }
    }

    /// Looks every name up once (in parallel, each bounded by the timeout) and returns true when
    /// the addresses changed. Blocks the calling thread for at most about `timeout`.
    @discardableResult
    public func refresh() -> Bool {
        let names = state.withLock { s in
            let free = hosts.filter { !s.inFlight.contains($0) }
            s.inFlight.formUnion(free)
            return free
        }
        guard !names.isEmpty else { return false }
        let before = addresses
        let done = DispatchGroup()
        for name in names {
            done.enter()
            let thread = Thread { [self] in
                let result = Result { try lookup(name) }
                state.withLock { s in
                    s.inFlight.remove(name)
                    if case .success(let found) = result, !found.isEmpty { s.addresses[name] = found }
                }
                switch result {
                case .success(let found) where found.isEmpty:
                    logger.warning(
                        "allowed host has no addresses; keeping the last good ones", metadata: ["host": "\(name)"])
                case .failure(let error):
                    logger.warning(
                        "allowed host did not resolve; keeping the last good addresses",
                        metadata: ["host": "\(name)", "error": "\(error)"])
                case .success:
                    break
                }
                done.leave()
            }
            thread.start()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if done.wait(timeout: .now() + seconds) == .timedOut {
            let late = state.withLock { $0.inFlight.intersection(names) }.sorted()
            logger.warning(
                "allowed hosts still resolving after the timeout; keeping their last good addresses",
                metadata: ["hosts": "\(late.joined(separator: " "))", "timeoutSeconds": "\(seconds)"])
        }
        return addresses != before
    }

    /// `getaddrinfo(name)`: every IPv4 and IPv6 address, as single-address prefixes.
    @Sendable public static func getaddrinfo(_ name: String) throws -> [IPPrefix] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = Glibc.getaddrinfo(name, nil, &hints, &list)
        guard rc == 0 else { throw ResolveError(host: name, message: String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(list) }
        var out = Set<IPPrefix>()
        var node = list
        while let n = node {
            if let address = n.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
                    }
                    if let p = try? IPPrefix(family: .ipv4, bytes: bytes, length: 32) { out.insert(p) }
                case AF_INET6:
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                    }
                    if let p = try? IPPrefix(family: .ipv6, bytes: bytes, length: 128) { out.insert(p) }
                default:
                    break
                }
            }
            node = n.pointee.ai_next
        }
        return out.sorted()
    }

    public struct ResolveError: Error, CustomStringConvertible {
        public let host: String
        public let message: String
        public init(host: String, message: String) {
            self.host = host
            self.message = message
        }
        public var description: String { "\(host): \(message)" }
    }
}
