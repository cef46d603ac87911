// PorticoFirewall: the walled garden in nftables, over netlink (libnftnl, libmnl), and
// conntrack.
//
// `WalledGardenFirewall` and its backends: `NftablesFirewall` (the table, sets and rules built
// in one atomic batch, set-element changes acknowledged by the kernel, status and reconcile)
// and `OffFirewall` (records what it would do). One C-call funnel (`NetlinkError`).
//
// Imports: PorticoCore, CNetfilter, Logging (and Glibc, Synchronization). Only PorticoApp imports
// it: the web modules reach the walled garden through PorticoWebSupport's `WalledGarden`.
