import CNetfilter
import Glibc

/// Whether the nftables backend can work here, for `portico doctor`.
public enum NftablesSupport {
    /// Opens a NETLINK_NETFILTER socket and lists the tables (names only: it never reads a set's
    /// elements, which for 100,000 addresses takes a while). `namespace`: a name under
    /// /var/run/netns, as in `FirewallConfiguration.networkNamespace`.
    public static func probe(namespace: String? = nil) -> (available: Bool, reason: String) {
        do {
            let socket = try NetlinkSocket(namespace: namespace, receiveBufferBytes: 1 << 20)
            let names = try TableInspection.tableNames(family: UInt16(NFPROTO_UNSPEC), socket: socket)
            let ours = try TableInspection.tableNames(family: UInt16(NFPROTO_INET), socket: socket).contains(
                Ruleset.table)
            return (
                true,
                "nftables reachable over netlink: \(names.count) table(s), inet portico \(ours ? "present" : "absent")"
            )
        } catch let error as NetlinkError where error.errno == EPERM {
            return (
                false,
                "nftables not usable: permission denied (\(error.operation)); the nftables backend needs CAP_NET_ADMIN, run as root or use the off backend"
            )
        } catch {
            return (false, "nftables not usable: \(error)")
        }
    }
}
