import CNetfilter
import Glibc

/// Opening netlink sockets inside a named network namespace (`ip netns add NAME`).
enum NetworkNamespace {
    /// `CLONE_NEWNET` from <sched.h>; Swift's Glibc module does not export it.
    static let cloneNewNet: Int32 = 0x4000_0000

    /// Runs `body` with the calling thread inside `/var/run/netns/<name>`, then moves the thread
    /// back. A socket stays in the namespace it was created in, so sockets opened in `body` keep
    /// talking to that namespace's netfilter while the thread (and the rest of the process) goes
    /// back where it was. setns affects only the calling thread, and `body` is synchronous (no
    /// suspension point), so no other task can run on this thread in between.
    static func run<T>(in name: String?, _ body: () throws(NetlinkError) -> T) throws(NetlinkError) -> T {
        guard let name else { return try body() }
        guard !name.isEmpty, !name.contains("/"), name != "." && name != ".." else {
            throw NetlinkError(errno: EINVAL, operation: "network namespace name '\(name)'")
        }
        let saved = try check("open /proc/thread-self/ns/net", open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC))
        defer { close(saved) }
        let target = try check("open /var/run/netns/\(name)", open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC))
        defer { close(target) }
        try check("setns(\(name))", setns(target, cloneNewNet))
        defer {
            // Staying in the wrong namespace would silently point later sockets of this thread
            // at the wrong router: stopping is the only safe answer.
            if setns(saved, cloneNewNet) != 0 { preconditionFailure("cannot return to the original network namespace") }
        }
        return try body()
    }
}
