#ifndef PORTICO_CNETFILTER_SHIM_H
#define PORTICO_CNETFILTER_SHIM_H
/* Order matters (INTEROP.md): socket and in headers first, then the kernel's netlink/netfilter
 * headers, then libmnl, libnftnl and libnetfilter_conntrack. The kernel's nfnetlink headers come
 * before libnetfilter_conntrack's private copies, which share their include guards and are then
 * skipped, so each type has one definition. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/udata.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

/* setns(2) is declared in <sched.h> only under _GNU_SOURCE, which Swift's Glibc module does not
 * define; glibc exports the symbol, so declaring it here is enough. */
int setns(int fd, int nstype);
#endif
