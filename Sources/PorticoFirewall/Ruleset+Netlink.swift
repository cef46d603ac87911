import CNetfilter
import Glibc
import PorticoCore

/// Turning the `Ruleset` values into libnftnl objects and batch messages.
extension Ruleset {
    /// Destroys the table if present and creates it again with its sets, chains and rules: the
    /// first half of a rebuild batch (the elements follow).
    /// `hostCounts`: how many addresses each host set gets now (sizes its table).
    func appendTable(to batch: NetlinkBatch, hostCounts: [String: Int]) {
        batch.appendNftables(NftablesMessage.destroyTable, flags: 0, label: "delete table inet portico") { nlh in
            Self.withTable { nftnl_table_nlmsg_build_payload(nlh, $0) }
        }
        batch.appendNftables(UInt16(NFT_MSG_NEWTABLE.rawValue), flags: NLM_F_CREATE, label: "create table inet portico")
        { nlh in
            Self.withTable { nftnl_table_nlmsg_build_payload(nlh, $0) }
        }
        for spec in Self.createdSets {
            batch.appendNftables(UInt16(NFT_MSG_NEWSET.rawValue), flags: NLM_F_CREATE, label: "create set \(spec.name)")
            { nlh in
                let set = nftnl_set_alloc()!
                defer { nftnl_set_free(set) }
                nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), Self.table)
                nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), spec.name)
                nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(NFPROTO_INET))
                nftnl_set_set_u32(set, UInt16(NFTNL_SET_KEY_TYPE.rawValue), spec.keyType)
                nftnl_set_set_u32(set, UInt16(NFTNL_SET_KEY_LEN.rawValue), spec.keyLength)
                nftnl_set_set_u32(set, UInt16(NFTNL_SET_FLAGS.rawValue), spec.flags)
                nftnl_set_set_u32(set, UInt16(NFTNL_SET_ID.rawValue), spec.id)
                if let seconds = spec.timeoutSeconds {
                    nftnl_set_set_u64(set, UInt16(NFTNL_SET_TIMEOUT.rawValue), seconds * 1000)
                }
                if !spec.interval {
                    nftnl_set_set_u32(
                        set, UInt16(NFTNL_SET_DESC_SIZE.rawValue), Self.hostCapacity(for: hostCounts[spec.name] ?? 0))
                }
                nftnl_set_nlmsg_build_payload(nlh, set)
            }
        }
        for spec in Self.chains {
            batch.appendNftables(
                UInt16(NFT_MSG_NEWCHAIN.rawValue), flags: NLM_F_CREATE, label: "create chain \(spec.name)"
            ) { nlh in
                let chain = nftnl_chain_alloc()!
                defer { nftnl_chain_free(chain) }
                nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_TABLE.rawValue), Self.table)
                nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_NAME.rawValue), spec.name)
                nftnl_chain_set_u32(chain, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(NFPROTO_INET))
                if let base = spec.base {
                    nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_TYPE.rawValue), base.type)
                    nftnl_chain_set_u32(chain, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), base.hook)
                    nftnl_chain_set_s32(chain, UInt16(NFTNL_CHAIN_PRIO.rawValue), base.priority)
                    nftnl_chain_set_u32(chain, UInt16(NFTNL_CHAIN_POLICY.rawValue), UInt32(NF_ACCEPT))
                }
                nftnl_chain_nlmsg_build_payload(nlh, chain)
            }
        }
        for rule in rules {
            batch.appendNftables(
                UInt16(NFT_MSG_NEWRULE.rawValue), flags: NLM_F_CREATE | NLM_F_APPEND, label: "add rule \(rule.comment)"
            ) { nlh in
                let r = Self.makeRule(rule)
                defer { nftnl_rule_free(r) }
                nftnl_rule_nlmsg_build_payload(nlh, r)
            }
        }
    }

    private static func withTable(_ body: (OpaquePointer) -> Void) {
        let table = nftnl_table_alloc()!
        defer { nftnl_table_free(table) }
        nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), Self.table)
        nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(NFPROTO_INET))
        body(table)
    }

    private static func makeRule(_ rule: Rule) -> OpaquePointer {
        let r = nftnl_rule_alloc()!
        nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), Self.table)
        nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), rule.chain)
        nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(NFPROTO_INET))
        for expression in rule.expressions {
            for e in makeExpressions(expression) { nftnl_rule_add_expr(r, e) }
        }
        // The comment as nft writes it (a udata TLV), so `nft list` shows it too.
        let udata = nftnl_udata_buf_alloc(UInt32(NFT_USERDATA_MAXLEN))!
        defer { nftnl_udata_buf_free(udata) }
        _ = nftnl_udata_put_strz(udata, UInt8(NFTNL_UDATA_RULE_COMMENT.rawValue), String(rule.comment.prefix(200)))
        nftnl_rule_set_data(
            r, UInt16(NFTNL_RULE_USERDATA.rawValue), nftnl_udata_buf_data(udata), nftnl_udata_buf_len(udata))
        return r
    }

    private static func makeExpressions(_ expression: Expression) -> [OpaquePointer] {
        func new(_ name: String) -> OpaquePointer { nftnl_expr_alloc(name)! }
        func set(_ e: OpaquePointer, _ attribute: Int, _ value: UInt32) {
            nftnl_expr_set_u32(e, UInt16(attribute), value)
        }
        func set(_ e: OpaquePointer, _ attribute: Int, _ bytes: [UInt8]) {
            bytes.withUnsafeBytes { _ = nftnl_expr_set(e, UInt16(attribute), $0.baseAddress, UInt32($0.count)) }
        }
        let e: OpaquePointer
        switch expression {
        case .meta(let key, let register):
            e = new("meta")
            set(e, NFTNL_EXPR_META_KEY, key)
            set(e, NFTNL_EXPR_META_DREG, register)
        case .compare(let register, let data):
            e = new("cmp")
            set(e, NFTNL_EXPR_CMP_SREG, register)
            set(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ.rawValue)
            set(e, NFTNL_EXPR_CMP_DATA, data)
        case .payload(let base, let offset, let length, let register):
            e = new("payload")
            set(e, NFTNL_EXPR_PAYLOAD_BASE, base)
            set(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset)
            set(e, NFTNL_EXPR_PAYLOAD_LEN, length)
            set(e, NFTNL_EXPR_PAYLOAD_DREG, register)
        case .lookup(let register, let spec):
            e = new("lookup")
            set(e, NFTNL_EXPR_LOOKUP_SREG, register)
            _ = nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_LOOKUP_SET), spec.name)
            // The id finds the set created earlier in the same transaction.
            set(e, NFTNL_EXPR_LOOKUP_SET_ID, spec.id)
        case .immediate(let register, let data):
            e = new("immediate")
            set(e, NFTNL_EXPR_IMM_DREG, register)
            set(e, NFTNL_EXPR_IMM_DATA, data)
        case .dnat(let family, let addressRegister, let portRegister):
            e = new("nat")
            set(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT.rawValue)
            set(e, NFTNL_EXPR_NAT_FAMILY, UInt32(family == .ipv4 ? NFPROTO_IPV4 : NFPROTO_IPV6))
            set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, addressRegister)
            set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, portRegister)
        case .rejectWithTCPReset:
            e = new("reject")
            set(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST.rawValue)
            set(e, NFTNL_EXPR_REJECT_CODE, 0)
        case .counter:
            e = new("counter")
        case .accept, .drop:
            e = new("immediate")
            set(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT.rawValue)
            set(e, NFTNL_EXPR_IMM_VERDICT, UInt32(expression == .accept ? NF_ACCEPT : NF_DROP))
        case .setConntrackMarkBit(let bit):
            // Three expressions: load the mark, (mark & ~bit) ^ bit, store it. The mark sits in
            // the register in host byte order.
            let load = new("ct")
            set(load, NFTNL_EXPR_CT_KEY, NFT_CT_MARK.rawValue)
            set(load, NFTNL_EXPR_CT_DREG, 1)
            let bitwise = new("bitwise")
            set(bitwise, NFTNL_EXPR_BITWISE_SREG, 1)
            set(bitwise, NFTNL_EXPR_BITWISE_DREG, 1)
            set(bitwise, NFTNL_EXPR_BITWISE_LEN, 4)
            set(bitwise, NFTNL_EXPR_BITWISE_MASK, withUnsafeBytes(of: ~bit) { Array($0) })
            set(bitwise, NFTNL_EXPR_BITWISE_XOR, withUnsafeBytes(of: bit) { Array($0) })
            e = new("ct")
            set(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK.rawValue)
            set(e, NFTNL_EXPR_CT_SREG, 1)
            return [load, bitwise, e]
        case .goto(let chain):
            e = new("immediate")
            set(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT.rawValue)
            set(e, NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: NFT_GOTO.rawValue))
            _ = nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_IMM_CHAIN), chain)
        }
        return [e]
    }
}
