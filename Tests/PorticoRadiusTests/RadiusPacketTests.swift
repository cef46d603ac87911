import PorticoRadius
import Testing

@Suite struct RadiusPacketTests {
    @Test func encodesHeaderAttributesAndOneVendorSpecificPerVendorAttribute() throws {
        let packet = RadiusPacket(
            code: .coaRequest, identifier: 7,
            attributes: [.text(.userName, "ab"), .text(.mikrotikRateLimit, "1M/2M")])
        let bytes = try packet.encoded()
        #expect(bytes.count == 20 + 4 + 13)
        #expect(Array(bytes[0..<4]) == [43, 7, 0, 37])
        #expect(Array(bytes[20..<24]) == [1, 4, 0x61, 0x62])
        // Vendor-Specific: type 26, length 13, vendor 14988 (0x3a8c), vendor type 8, length 7.
        #expect(Array(bytes[24...]) == [26, 13, 0, 0, 0x3a, 0x8c, 8, 7] + Array("1M/2M".utf8))
        #expect(try RadiusPacket.decode(bytes) == packet)
    }

    @Test func decodesSeveralVendorAttributesInOneVendorSpecific() throws {
        let vsa: [UInt8] = [26, 14, 0, 0, 0x3a, 0x8c, 8, 3, 0x41, 19, 5] + Array("wgx".utf8)
        var bytes: [UInt8] = [44, 1, 0, 0] + [UInt8](repeating: 0, count: 16) + vsa
        bytes[3] = UInt8(bytes.count)
        let packet = try RadiusPacket.decode(bytes)
        #expect(packet.code == .coaACK)
        #expect(packet.attributes == [.text(.mikrotikRateLimit, "A"), .text(.mikrotikAddressList, "wgx")])
    }

    @Test func octetsPastTheLengthFieldArePadding() throws {
        var bytes = try RadiusPacket(code: .coaACK, identifier: 1, attributes: [.integer(.errorCause, 503)]).encoded()
        bytes += [0xff, 0xff, 0xff]
        #expect(try RadiusPacket.decode(bytes).attributes == [.integer(.errorCause, 503)])
    }

    @Test func refusesMalformedPacketsWithTheReason() throws {
        let header: [UInt8] = [41, 1, 0, 20] + [UInt8](repeating: 0, count: 16)
        func packet(_ attributes: [UInt8], length: Int? = nil) -> [UInt8] {
            var bytes = header + attributes
            let declared = length ?? bytes.count
            bytes[2] = UInt8(declared >> 8)
            bytes[3] = UInt8(declared & 0xff)
            return bytes
        }
        #expect(throws: RadiusPacketError.tooShort(received: 19)) { try RadiusPacket.decode(Array(header[0..<19])) }
        #expect(throws: RadiusPacketError.badLength(declared: 19, received: 20)) {
            try RadiusPacket.decode(packet([], length: 19))
        }
        #expect(throws: RadiusPacketError.badLength(declared: 30, received: 20)) {
            try RadiusPacket.decode(packet([], length: 30))
        }
        #expect(throws: RadiusPacketError.badLength(declared: 4097, received: 4097)) {
            try RadiusPacket.decode(packet([UInt8](repeating: 1, count: 4077), length: 4097))
        }
        #expect(throws: RadiusPacketError.truncatedAttribute(offset: 20)) { try RadiusPacket.decode(packet([1])) }
        #expect(throws: RadiusPacketError.truncatedAttribute(offset: 20)) {
            try RadiusPacket.decode(packet([1, 6, 0x61]))
        }
        #expect(throws: RadiusPacketError.badAttribute(type: 1, length: 1, offset: 20)) {
            try RadiusPacket.decode(packet([1, 1]))
        }
        #expect(throws: RadiusPacketError.badAttribute(type: 0, length: 3, offset: 20)) {
            try RadiusPacket.decode(packet([0, 3, 0]))
        }
        // Vendor-Specific: too short for a vendor id; a vendor id above 2^24; a vendor attribute
        // running past its container; nothing after the vendor id.
        #expect(throws: RadiusPacketError.badVendorSpecific(offset: 20)) {
            try RadiusPacket.decode(packet([26, 5, 0, 0, 1]))
        }
        #expect(throws: RadiusPacketError.badVendorSpecific(offset: 20)) {
            try RadiusPacket.decode(packet([26, 9, 1, 0, 0x3a, 0x8c, 8, 3, 0x41]))
        }
        #expect(throws: RadiusPacketError.badVendorSpecific(offset: 20)) {
            try RadiusPacket.decode(packet([26, 9, 0, 0, 0x3a, 0x8c, 8, 4, 0x41]))
        }
        #expect(throws: RadiusPacketError.badVendorSpecific(offset: 20)) {
            try RadiusPacket.decode(packet([26, 6, 0, 0, 0x3a, 0x8c]))
        }
        #expect(throws: RadiusPacketError.badMessageAuthenticator(offset: 20)) {
            try RadiusPacket.decode(packet([80, 6, 0, 0, 0, 0]))
        }
        let ma: [UInt8] = [80, 18] + [UInt8](repeating: 0, count: 16)
        #expect(throws: RadiusPacketError.badMessageAuthenticator(offset: 38)) {
            try RadiusPacket.decode(packet(ma + ma))
        }
    }

    @Test func keepsVendorSpecificOfVendorsWithAnotherFormatWhole() throws {
        // USR (429) uses 4-octet vendor types: not split.
        let value: [UInt8] = [0, 0, 1, 0xad, 0, 0, 0x90, 0x01, 0, 0, 0, 1]
        var bytes: [UInt8] = [44, 1, 0, 0] + [UInt8](repeating: 0, count: 16) + [26, UInt8(value.count + 2)] + value
        bytes[3] = UInt8(bytes.count)
        let packet = try RadiusPacket.decode(bytes)
        #expect(packet.attributes == [RadiusAttribute(.standard(26), value)])
        #expect(try packet.encoded() == bytes)
    }

    @Test func refusesValuesAndPacketsTooLongToEncode() {
        let long = String(repeating: "x", count: 254)
        #expect(throws: RadiusPacketError.valueTooLong(.userName, length: 254)) {
            try RadiusPacket(code: .coaRequest, identifier: 1, attributes: [.text(.userName, long)]).encoded()
        }
        #expect(throws: RadiusPacketError.valueTooLong(.mikrotikRateLimit, length: 248)) {
            try RadiusPacket(
                code: .coaRequest, identifier: 1, attributes: [.text(.mikrotikRateLimit, String(long.prefix(248)))]
            ).encoded()
        }
        let many = [RadiusAttribute](repeating: .text(.filterId, String(long.prefix(200))), count: 21)
        #expect(throws: RadiusPacketError.packetTooLong(length: 20 + 21 * 202)) {
            try RadiusPacket(code: .coaRequest, identifier: 1, attributes: many).encoded()
        }
    }

    @Test func namesCodesAsTheRFCsDo() {
        #expect(RadiusCode.disconnectRequest.rawValue == 40)
        #expect(RadiusCode.coaRequest.rawValue == 43)
        #expect("\(RadiusCode.coaNAK)" == "CoA-NAK")
        #expect("\(RadiusCode.disconnectACK)" == "Disconnect-ACK")
        #expect("\(RadiusCode(rawValue: 99))" == "Code-99")
        #expect(RadiusCode.coaRequest.replies?.nak == .coaNAK)
        #expect(RadiusCode.disconnectRequest.replies?.ack == .disconnectACK)
    }

    @Test func decodesErrorCause() throws {
        let nak = RadiusPacket(code: .coaNAK, identifier: 3, attributes: [.integer(.errorCause, 503)])
        let cause = try #require(ErrorCause(in: RadiusPacket.decode(nak.encoded())))
        #expect(cause == .sessionContextNotFound)
        #expect(cause.isSessionGone)
        #expect("\(cause)" == "Session-Context-Not-Found (503)")
        #expect(ErrorCause.unsupportedAttribute.isRequestError)
        #expect("\(ErrorCause(rawValue: 999))" == "Error-Cause 999")
        #expect(ErrorCause(in: RadiusPacket(code: .coaNAK, identifier: 3)) == nil)
    }
}
