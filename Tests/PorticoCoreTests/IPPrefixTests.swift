import Testing

@testable import PorticoCore

@Suite struct IPPrefixTests {
    @Test func parsesAndPrintsIPv4() throws {
        #expect(try IPPrefix("192.0.2.7").description == "192.0.2.7")
        #expect(try IPPrefix("192.0.2.0/28").description == "192.0.2.0/28")
        #expect(try IPPrefix("192.0.2.0/28").endBytes == [192, 0, 2, 16])
        #expect(throws: AddressError.self) { try IPPrefix("192.0.2.1/24") }
        #expect(throws: AddressError.self) { try IPPrefix("192.0.2") }
        #expect(throws: AddressError.self) { try IPPrefix("256.0.0.1") }
        #expect(throws: AddressError.self) { try IPPrefix("10.0.0.1/33") }
    }

    @Test func parsesAndPrintsIPv6() throws {
        #expect(try IPPrefix("2001:DB8:1::/48").description == "2001:db8:1::/48")
        #expect(try IPPrefix("::1").description == "::1")
        #expect(try IPPrefix("::ffff:192.0.2.1").bytes.suffix(4) == [192, 0, 2, 1])
        #expect(try IPPrefix("2001:db8::1:0:0:1").description == "2001:db8::1:0:0:1")
        #expect(throws: AddressError.self) { try IPPrefix("2001:db8:::1") }
        #expect(throws: AddressError.self) { try IPPrefix("1:2:3:4:5:6:7:8:9") }
    }

    @Test func overlaps() throws {
        #expect(try IPPrefix("192.0.2.0/24").overlaps(IPPrefix("192.0.2.9")))
        #expect(try !IPPrefix("192.0.2.0/25").overlaps(IPPrefix("192.0.2.200")))
        #expect(try !IPPrefix("::/0").overlaps(IPPrefix("0.0.0.0/0")))
    }
}
