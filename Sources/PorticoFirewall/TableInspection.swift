import CNetfilter

/// What the kernel holds of `inet portico`, apart from set elements: enough to tell whether the
/// table is still the one Portico built.
struct TableInspection: Equatable {
    struct SetShape: Equatable {
        let flags: UInt32
        let keyType: UInt32
    }

    var sets: [String: SetShape] = [:]
    var chains: Set<String> = []
    /// Rule comments per chain, in rule order.
    var ruleComments: [String: [String]] = [:]

    /// nil when the table does not exist.
    static func read(socket: NetlinkSocket) throws -> TableInspection? {
        guard try tableNames(family: UInt16(NFPROTO_INET), socket: socket).contains(Ruleset.table) else { return nil }
        var out = TableInspection()
        try socket.dump(operation: "list sets of inet portico") { at, seq in
            let nlh = request(at, UInt16(NFT_MSG_GETSET.rawValue), seq)
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_TABLE.rawValue), Ruleset.table)
        } _: { message in
            let a = message.attributes
            guard NetlinkAttributes.find(Int32(NFTA_SET_TABLE.rawValue), in: a)?.netlinkString == Ruleset.table,
                let name = NetlinkAttributes.find(Int32(NFTA_SET_NAME.rawValue), in: a)?.netlinkString
            else { return }
            out.sets[name] = SetShape(
                flags: NetlinkAttributes.find(Int32(NFTA_SET_FLAGS.rawValue), in: a)?.netlinkU32 ?? 0,
                keyType: NetlinkAttributes.find(Int32(NFTA_SET_KEY_TYPE.rawValue), in: a)?.netlinkU32 ?? 0)
        }
        try socket.dump(operation: "list chains of inet portico") { at, seq in
            let nlh = request(at, UInt16(NFT_MSG_GETCHAIN.rawValue), seq)
            mnl_attr_put_strz(nlh, UInt16(NFTA_CHAIN_TABLE.rawValue), Ruleset.table)
        } _: { message in
            let a = message.attributes
            guard NetlinkAttributes.find(Int32(NFTA_CHAIN_TABLE.rawValue), in: a)?.netlinkString == Ruleset.table,
                let name = NetlinkAttributes.find(Int32(NFTA_CHAIN_NAME.rawValue), in: a)?.netlinkString
            else { return }
            out.chains.insert(name)
        }
        try socket.dump(operation: "list rules of inet portico") { at, seq in
            let nlh = request(at, UInt16(NFT_MSG_GETRULE.rawValue), seq)
            mnl_attr_put_strz(nlh, UInt16(NFTA_RULE_TABLE.rawValue), Ruleset.table)
        } _: { message in
            let a = message.attributes
            guard NetlinkAttributes.find(Int32(NFTA_RULE_TABLE.rawValue), in: a)?.netlinkString == Ruleset.table,
                let chain = NetlinkAttributes.find(Int32(NFTA_RULE_CHAIN.rawValue), in: a)?.netlinkString
            else { return }
            let comment = NetlinkAttributes.find(Int32(NFTA_RULE_USERDATA.rawValue), in: a).flatMap(Self.comment) ?? ""
            out.ruleComments[chain, default: []].append(comment)
        }
        return out
    }

    /// Names of the tables of `family` (NFPROTO_UNSPEC: all). Cheap: no set contents.
    static func tableNames(family: UInt16, socket: NetlinkSocket) throws -> [String] {
        var names: [String] = []
        try socket.dump(operation: "list tables") { at, seq in
            _ = nftnl_nlmsg_build_hdr(
                at.assumingMemoryBound(to: CChar.self), UInt16(NFT_MSG_GETTABLE.rawValue), family, UInt16(NLM_F_DUMP),
                seq)
        } _: { message in
            if let name = NetlinkAttributes.find(Int32(NFTA_TABLE_NAME.rawValue), in: message.attributes) {
                names.append(name.netlinkString)
            }
        }
        return names
    }

    private static func request(_ at: UnsafeMutableRawPointer, _ type: UInt16, _ seq: UInt32) -> UnsafeMutablePointer<
        nlmsghdr
    > {
        nftnl_nlmsg_build_hdr(
            at.assumingMemoryBound(to: CChar.self), type, UInt16(NFPROTO_INET), UInt16(NLM_F_DUMP), seq)!
    }

    /// The NFTNL_UDATA_RULE_COMMENT entry of a rule's user data (TLVs of u8 type, u8 length).
    static func comment(_ udata: UnsafeRawBufferPointer) -> String? {
        var i = 0
        while i + 2 <= udata.count {
            let type = udata[i]
            let length = Int(udata[i + 1])
            guard i + 2 + length <= udata.count else { return nil }
            if type == UInt8(NFTNL_UDATA_RULE_COMMENT.rawValue) {
                return UnsafeRawBufferPointer(rebasing: udata[(i + 2)..<(i + 2 + length)]).netlinkString
            }
            i += 2 + length
        }
        return nil
    }

    /// Whether this is the table `ruleset` describes: the four interval sets with their key
    /// types, the three chains, and the rules (by comment) in order.
    func matches(_ ruleset: Ruleset) -> Bool {
        for spec in Ruleset.createdSets {
            guard let shape = sets[spec.name], shape.keyType == spec.keyType,
                shape.flags & Ruleset.SetSpec.comparedFlags == spec.flags
            else { return false }
        }
        guard chains == Set(Ruleset.chains.map(\.name)) else { return false }
        let expected = ruleset.fingerprint
        for chain in chains where (ruleComments[chain] ?? []) != (expected[chain] ?? []) { return false }
        return true
    }
}
