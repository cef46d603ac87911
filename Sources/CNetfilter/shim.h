#ifndef PORTICO_CNETFILTER_SHIM_H
#define PORTICO_CNETFILTER_SHIM_H
/* Order matters (INTEROP.md): socket and in headers first, then linux netlink/netfilter, then libnftnl. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#endif
