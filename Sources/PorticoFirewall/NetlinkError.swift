#if canImport(Glibc)
    import Glibc
#endif

/// A netlink call that failed: the C function or kernel message that failed and its errno.
public struct NetlinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The positive errno value (`ENOENT`, `EPERM`, ...).
    public let errno: Int32
    /// What Portico was doing (`"mnl_socket_open"`, `"add elements to suspended4"`, ...).
    public let operation: String

    public init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        let text = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(operation): \(text) (errno \(errno))"
    }
}

/// The one checking funnel for C calls that return -1 (or a negative value) and set `errno`.
@discardableResult
func check<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ result: T) throws(NetlinkError) -> T {
    if result < 0 { throw NetlinkError(errno: Glibc.errno, operation: operation()) }
    return result
}

/// The same funnel for C calls that return a pointer, nil on failure with `errno` set.
func check<T>(_ operation: @autoclosure () -> String, _ result: T?) throws(NetlinkError) -> T {
    guard let result else { throw NetlinkError(errno: Glibc.errno == 0 ? ENOMEM : Glibc.errno, operation: operation()) }
    return result
}
