import PorticoRadius
import Testing

@Suite struct RadiusDictionaryTests {
    let dictionary = RadiusDictionary.standard

    @Test func makesAttributesFromNamesAndTextAsTheConfigurationWritesThem() throws {
        #expect(
            try dictionary.attribute(named: "Mikrotik-Rate-Limit", value: "10M/20M")
                == .text(.mikrotikRateLimit, "10M/20M"))
        #expect(
            try dictionary.attribute(named: "mikrotik-address-list", value: "walled")
                == .text(.mikrotikAddressList, "walled"))
        #expect(try dictionary.attribute(named: "Framed-IP-Address", value: "10.0.0.5").value == [10, 0, 0, 5])
        #expect(try dictionary.attribute(named: "Session-Timeout", value: "3600") == .integer(.standard(27), 3600))
        #expect(
            try dictionary.attribute(named: "Acct-Status-Type", value: "Interim-Update") == .integer(.acctStatusType, 3)
        )
        #expect(
            try dictionary.attribute(named: "Error-Cause", value: "Session-Context-Not-Found")
                == .integer(.errorCause, 503))
        #expect(try dictionary.attribute(named: "Class", value: "0x0aFF").value == [0x0a, 0xff])
    }

    @Test func refusesUnknownNamesAndValuesOfTheWrongType() {
        #expect(throws: RadiusDictionaryError.unknownAttribute("Mikrotik-Speed")) {
            try dictionary.attribute(named: "Mikrotik-Speed", value: "1M")
        }
        for (name, value, type) in [
            ("Framed-IP-Address", "10.0.0.256", AttributeValueType.ipaddr), ("Framed-IP-Address", "010.0.0.1", .ipaddr),
            ("Session-Timeout", "-1", .integer), ("Session-Timeout", "4294967296", .integer),
            ("Acct-Status-Type", "Begin", .integer), ("Class", "0xabc", .octets), ("Class", "ab", .octets),
        ] {
            #expect(throws: RadiusDictionaryError.invalidValue(attribute: name, value: value, expected: type)) {
                try dictionary.attribute(named: name, value: value)
            }
        }
        #expect(throws: RadiusDictionaryError.valueTooLong(attribute: "Mikrotik-Rate-Limit", length: 248)) {
            try dictionary.attribute(named: "Mikrotik-Rate-Limit", value: String(repeating: "1", count: 248))
        }
    }

    @Test func writesAttributesForLogs() {
        #expect(dictionary.text(of: .text(.mikrotikRateLimit, "1M/2M")) == "Mikrotik-Rate-Limit = \"1M/2M\"")
        #expect(dictionary.text(of: .integer(.acctStatusType, 2)) == "Acct-Status-Type = Stop")
        #expect(dictionary.text(of: .integer(.errorCause, 407)) == "Error-Cause = Invalid-Attribute-Value")
        #expect(
            dictionary.text(of: RadiusAttribute(.framedIPAddress, [192, 0, 2, 1])) == "Framed-IP-Address = 192.0.2.1")
        #expect(dictionary.text(of: RadiusAttribute(.vendor(9, 1), [1, 2])) == "Vendor-9-Attr-1 = 0x0102")
        #expect(dictionary.text(of: RadiusAttribute(.framedIPAddress, [1, 2])) == "Framed-IP-Address = 0x0102")
    }

    @Test func canBeExtendedWithAnotherVendorsAttributes() throws {
        let cisco = dictionary.adding([AttributeDefinition("Cisco-AVPair", .vendor(9, 1), .string)])
        #expect(
            try cisco.attribute(named: "Cisco-AVPair", value: "subscriber:command=reauthenticate").key == .vendor(9, 1))
        #expect(dictionary.definition(named: "Cisco-AVPair") == nil)
    }
}
