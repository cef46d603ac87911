/// What names one session on a NAS (RFC 5176 §3: NAS identification and session identification
/// attributes), as learnt from its accounting. A NAS matches the session by these; the more of
/// them a request carries, the less it can hit the wrong one.
public struct SessionIdentity: Sendable, Hashable {
    public var userName: String?
    public var acctSessionId: String?
    public var framedIPAddress: String?
    public var callingStationId: String?
    public var nasIPAddress: String?
    public var nasIdentifier: String?

    public init(
        userName: String? = nil, acctSessionId: String? = nil, framedIPAddress: String? = nil,
        callingStationId: String? = nil, nasIPAddress: String? = nil, nasIdentifier: String? = nil
    ) {
        self.userName = userName
        self.acctSessionId = acctSessionId
        self.framedIPAddress = framedIPAddress
        self.callingStationId = callingStationId
        self.nasIPAddress = nasIPAddress
        self.nasIdentifier = nasIdentifier
    }

    /// Why an identity cannot go into a request.
    public enum Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        /// Neither User-Name, Acct-Session-Id, Framed-IP-Address nor Calling-Station-Id.
        case nothingIdentifiesTheSession
        case notIPv4(field: String, value: String)
        case tooLong(field: String)

        public var description: String {
            switch self {
            case .nothingIdentifiesTheSession:
                "a session needs a User-Name, Acct-Session-Id, Framed-IP-Address or Calling-Station-Id"
            case .notIPv4(let field, let value): "\(field) \"\(value)\" is not an IPv4 address"
            case .tooLong(let field): "\(field) is longer than 253 octets"
            }
        }
    }

    /// The identification attributes, NAS first then session, in RFC 5176 §3's order.
    public func attributes() throws(Invalid) -> [RadiusAttribute] {
        guard userName != nil || acctSessionId != nil || framedIPAddress != nil || callingStationId != nil else {
            throw .nothingIdentifiesTheSession
        }
        var result: [RadiusAttribute] = []
        func text(_ key: AttributeKey, _ field: String, _ value: String?) throws(Invalid) {
            guard let value else { return }
            guard value.utf8.count <= RadiusAttribute.maximumStandardValue else { throw .tooLong(field: field) }
            result.append(.text(key, value))
        }
        func address(_ key: AttributeKey, _ field: String, _ value: String?) throws(Invalid) {
            guard let value else { return }
            guard let attribute = RadiusAttribute.ipv4(key, value) else { throw .notIPv4(field: field, value: value) }
            result.append(attribute)
        }
        try address(.nasIPAddress, "NAS-IP-Address", nasIPAddress)
        try text(.nasIdentifier, "NAS-Identifier", nasIdentifier)
        try text(.userName, "User-Name", userName)
        try text(.acctSessionId, "Acct-Session-Id", acctSessionId)
        try address(.framedIPAddress, "Framed-IP-Address", framedIPAddress)
        try text(.callingStationId, "Calling-Station-Id", callingStationId)
        return result
    }
}
