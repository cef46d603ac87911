extension RadiusDictionary {
    /// MikroTik's SMI Private Enterprise Code.
    public static let mikrotikVendor: UInt32 = 14988

    /// RFC 2865/2866/2869/5176 attributes Portico uses and MikroTik's (vendor 14988), by
    /// FreeRADIUS's names and numbers (`/usr/share/freeradius/dictionary.*`).
    public static let standard = RadiusDictionary(rfcAttributes + mikrotikAttributes)

    static let rfcAttributes: [AttributeDefinition] = [
        .init("User-Name", .standard(1), .string),
        .init("NAS-IP-Address", .standard(4), .ipaddr),
        .init("NAS-Port", .standard(5), .integer),
        .init(
            "Service-Type", .standard(6), .integer,
            values: [
                "Login-User": 1, "Framed-User": 2, "Outbound-User": 5, "Administrative-User": 6, "Authorize-Only": 17,
            ]),
        .init("Framed-Protocol", .standard(7), .integer, values: ["PPP": 1]),
        .init("Framed-IP-Address", .standard(8), .ipaddr),
        .init("Framed-IP-Netmask", .standard(9), .ipaddr),
        .init("Filter-Id", .standard(11), .string),
        .init("Reply-Message", .standard(18), .string),
        .init("State", .standard(24), .octets),
        .init("Class", .standard(25), .octets),
        .init("Session-Timeout", .standard(27), .integer),
        .init("Idle-Timeout", .standard(28), .integer),
        .init("Called-Station-Id", .standard(30), .string),
        .init("Calling-Station-Id", .standard(31), .string),
        .init("NAS-Identifier", .standard(32), .string),
        .init("Proxy-State", .standard(33), .octets),
        .init(
            "Acct-Status-Type", .standard(40), .integer,
            values: ["Start": 1, "Stop": 2, "Interim-Update": 3, "Accounting-On": 7, "Accounting-Off": 8]),
        .init("Acct-Delay-Time", .standard(41), .integer),
        .init("Acct-Input-Octets", .standard(42), .integer),
        .init("Acct-Output-Octets", .standard(43), .integer),
        .init("Acct-Session-Id", .standard(44), .string),
        .init("Acct-Authentic", .standard(45), .integer, values: ["RADIUS": 1, "Local": 2, "Remote": 3]),
        .init("Acct-Session-Time", .standard(46), .integer),
        .init("Acct-Input-Packets", .standard(47), .integer),
        .init("Acct-Output-Packets", .standard(48), .integer),
        .init(
            "Acct-Terminate-Cause", .standard(49), .integer,
            values: [
                "User-Request": 1, "Lost-Carrier": 2, "Lost-Service": 3, "Idle-Timeout": 4, "Session-Timeout": 5,
                "Admin-Reset": 6, "Admin-Reboot": 7, "Port-Error": 8, "NAS-Error": 9, "NAS-Request": 10,
                "NAS-Reboot": 11, "Port-Unneeded": 12, "Port-Preempted": 13, "Port-Suspended": 14,
                "Service-Unavailable": 15, "Callback": 16, "User-Error": 17, "Host-Request": 18,
            ]),
        .init("Acct-Multi-Session-Id", .standard(50), .string),
        .init("Acct-Input-Gigawords", .standard(52), .integer),
        .init("Acct-Output-Gigawords", .standard(53), .integer),
        .init("Event-Timestamp", .standard(55), .date),
        .init(
            "NAS-Port-Type", .standard(61), .integer,
            values: ["Async": 0, "Virtual": 5, "Ethernet": 15, "Wireless-802.11": 19, "PPPoEoE": 32]),
        .init("Message-Authenticator", .standard(80), .octets),
        .init("Acct-Interim-Interval", .standard(85), .integer),
        .init("NAS-Port-Id", .standard(87), .string),
        .init("Framed-Pool", .standard(88), .string),
        .init(
            "Error-Cause", .standard(101), .integer,
            values: Dictionary(uniqueKeysWithValues: ErrorCause.names.map { ($1, $0) })),
    ]

    static let mikrotikAttributes: [AttributeDefinition] = [
        .init("Mikrotik-Recv-Limit", .vendor(mikrotikVendor, 1), .integer),
        .init("Mikrotik-Xmit-Limit", .vendor(mikrotikVendor, 2), .integer),
        .init("Mikrotik-Group", .vendor(mikrotikVendor, 3), .string),
        .init("Mikrotik-Rate-Limit", .vendor(mikrotikVendor, 8), .string),
        .init("Mikrotik-Realm", .vendor(mikrotikVendor, 9), .string),
        .init("Mikrotik-Host-IP", .vendor(mikrotikVendor, 10), .ipaddr),
        .init("Mikrotik-Total-Limit", .vendor(mikrotikVendor, 17), .integer),
        .init("Mikrotik-Address-List", .vendor(mikrotikVendor, 19), .string),
    ]
}

extension AttributeKey {
    public static let userName = AttributeKey.standard(1)
    public static let nasIPAddress = AttributeKey.standard(4)
    public static let framedIPAddress = AttributeKey.standard(8)
    public static let filterId = AttributeKey.standard(11)
    public static let callingStationId = AttributeKey.standard(31)
    public static let nasIdentifier = AttributeKey.standard(32)
    public static let acctStatusType = AttributeKey.standard(40)
    public static let acctSessionId = AttributeKey.standard(44)
    public static let eventTimestamp = AttributeKey.standard(55)
    public static let framedPool = AttributeKey.standard(88)
    public static let errorCause = AttributeKey.standard(101)
    public static let mikrotikRateLimit = AttributeKey.vendor(RadiusDictionary.mikrotikVendor, 8)
    public static let mikrotikAddressList = AttributeKey.vendor(RadiusDictionary.mikrotikVendor, 19)
}
