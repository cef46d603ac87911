import PorticoRadius
import Testing

@Suite struct RadiusSigningTests {
    let secret = Array("s3cret".utf8)

    /// RFC 2865 §7.1's example: an Access-Request and its Access-Accept with the secret "xyzzy5461".
    @Test func verifiesTheAccessAcceptOfRFC2865Section7() throws {
        let requestAuthenticator: [UInt8] = [
            0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57, 0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a,
        ]
        let hiddenPassword: [UInt8] = [
            0x0d, 0xbe, 0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce, 0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a, 0x0a, 0xee,
        ]
        let request = try RadiusPacket.request(
            code: .accessRequest, identifier: 0,
            attributes: [
                .text(.userName, "nemo"), RadiusAttribute(.standard(2), hiddenPassword),
                try #require(RadiusAttribute.ipv4(.nasIPAddress, "192.168.1.16")), .integer(.standard(5), 3),
            ],
            secret: Array("xyzzy5461".utf8), messageAuthenticator: false, authenticator: requestAuthenticator)
        #expect(
            request.bytes == [0x01, 0x00, 0x00, 0x38] + requestAuthenticator + [0x01, 0x06] + Array("nemo".utf8)
                + [0x02, 0x12] + hiddenPassword + [0x04, 0x06, 0xc0, 0xa8, 0x01, 0x10, 0x05, 0x06, 0, 0, 0, 3])
        let accept: [UInt8] = [
            0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a, 0x10, 0x05, 0xf6, 0xbf, 0x9b,
            0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x06,
            0xc0, 0xa8, 0x01, 0x03,
        ]
        let packet = try RadiusPacket.verifiedResponse(accept, to: request, secret: Array("xyzzy5461".utf8))
        #expect(packet.code == .accessAccept)
        #expect(packet.first(.standard(14))?.ipv4Value == "192.168.1.3")
        #expect(throws: RadiusPacketError.wrongAuthenticator) {
            try RadiusPacket.verifiedResponse(accept, to: request, secret: Array("xyzzy5462".utf8))
        }
    }

    @Test func aSignedCoARequestVerifiesAndAnyChangedOctetDoesNot() throws {
        let request = try RadiusPacket.request(
            code: .coaRequest, identifier: 9,
            attributes: [.text(.acctSessionId, "81200007"), .text(.mikrotikAddressList, "portico-suspended")],
            secret: secret)
        #expect(request.bytes[20] == 80, "the Message-Authenticator goes first")
        let packet = try RadiusPacket.verifiedRequest(request.bytes, secret: secret)
        #expect(packet.first(.acctSessionId)?.textValue == "81200007")
        #expect(packet.authenticator == request.authenticator)
        #expect(throws: RadiusPacketError.wrongAuthenticator) {
            try RadiusPacket.verifiedRequest(request.bytes, secret: Array("other".utf8))
        }
        for index in [1, 4, 21, request.bytes.count - 1] {
            var tampered = request.bytes
            tampered[index] ^= 0x01
            #expect(throws: RadiusPacketError.self) { try RadiusPacket.verifiedRequest(tampered, secret: secret) }
        }
    }

    @Test func theRequestAuthenticatorIsKeyedAndTheSameForTheSameRequest() throws {
        let attributes: [RadiusAttribute] = [.text(.userName, "alice")]
        let one = try RadiusPacket.request(
            code: .disconnectRequest, identifier: 1, attributes: attributes, secret: secret)
        let two = try RadiusPacket.request(
            code: .disconnectRequest, identifier: 1, attributes: attributes, secret: secret)
        let other = try RadiusPacket.request(
            code: .disconnectRequest, identifier: 1, attributes: attributes, secret: Array("x".utf8))
        #expect(one.bytes == two.bytes)
        #expect(one.authenticator != other.authenticator)
        let plain = try RadiusPacket.request(
            code: .disconnectRequest, identifier: 1, attributes: attributes, secret: secret, messageAuthenticator: false
        )
        #expect(plain.bytes.count == one.bytes.count - 18)
        #expect(try RadiusPacket.verifiedRequest(plain.bytes, secret: secret).attributes == attributes)
    }

    @Test func aResponseVerifiesOnlyForItsRequest() throws {
        let request = try RadiusPacket.request(
            code: .coaRequest, identifier: 200, attributes: [.text(.userName, "bob")], secret: secret)
        for withMessageAuthenticator in [false, true] {
            let ack = try RadiusPacket.response(
                code: .coaACK, identifier: 200, attributes: [], requestAuthenticator: request.authenticator,
                secret: secret, messageAuthenticator: withMessageAuthenticator)
            #expect(try RadiusPacket.verifiedResponse(ack, to: request, secret: secret).code == .coaACK)
            #expect(throws: RadiusPacketError.wrongAuthenticator) {
                try RadiusPacket.verifiedResponse(ack, to: request, secret: Array("guess".utf8))
            }
        }
        // The same answer to another request (a replay) fails its Response Authenticator.
        let later = try RadiusPacket.request(
            code: .coaRequest, identifier: 200, attributes: [.text(.userName, "carol")], secret: secret)
        let oldACK = try RadiusPacket.response(
            code: .coaACK, identifier: 200, attributes: [], requestAuthenticator: request.authenticator, secret: secret)
        #expect(throws: RadiusPacketError.wrongAuthenticator) {
            try RadiusPacket.verifiedResponse(oldACK, to: later, secret: secret)
        }
        let wrongID = try RadiusPacket.response(
            code: .coaACK, identifier: 201, attributes: [], requestAuthenticator: request.authenticator, secret: secret)
        #expect(throws: RadiusPacketError.unexpectedIdentifier(received: 201, expected: 200)) {
            try RadiusPacket.verifiedResponse(wrongID, to: request, secret: secret)
        }
        let wrongCode = try RadiusPacket.response(
            code: .disconnectACK, identifier: 200, attributes: [], requestAuthenticator: request.authenticator,
            secret: secret)
        #expect(throws: RadiusPacketError.unexpectedCode(.disconnectACK, request: .coaRequest)) {
            try RadiusPacket.verifiedResponse(wrongCode, to: request, secret: secret)
        }
    }

    /// FreeRADIUS computes a CoA reply's Message-Authenticator over 16 zero octets rather than the
    /// Request Authenticator (RFC 5176 §3.2); both are accepted, a wrong one is not.
    @Test func acceptsEitherMessageAuthenticatorOfACoAReplyButNotAWrongOne() throws {
        let request = try RadiusPacket.request(
            code: .coaRequest, identifier: 5, attributes: [.text(.userName, "dave")], secret: secret)
        var reply = try RadiusPacket(
            code: .coaNAK, identifier: 5,
            attributes: [
                RadiusAttribute(.messageAuthenticator, [UInt8](repeating: 0, count: 16)), .integer(.errorCause, 401),
            ]
        ).encoded()
        let mac = HMACForTesting.md5(reply, key: secret)
        reply.replaceSubrange(22..<38, with: mac)
        reply.replaceSubrange(4..<20, with: request.authenticator)
        reply.replaceSubrange(4..<20, with: HMACForTesting.plainMD5(reply + secret))
        let packet = try RadiusPacket.verifiedResponse(reply, to: request, secret: secret)
        #expect(ErrorCause(in: packet) == .unsupportedAttribute)

        var wrong = reply
        wrong[30] ^= 0xff
        wrong.replaceSubrange(4..<20, with: request.authenticator)
        wrong.replaceSubrange(4..<20, with: HMACForTesting.plainMD5(wrong + secret))
        #expect(throws: RadiusPacketError.wrongMessageAuthenticator) {
            try RadiusPacket.verifiedResponse(wrong, to: request, secret: secret)
        }
    }

    @Test func anAccessRequestNeedsAValidMessageAuthenticator() throws {
        let random = [UInt8](repeating: 0x5a, count: 16)
        let request = try RadiusPacket.request(
            code: .accessRequest, identifier: 1, attributes: [.text(.userName, "eve")], secret: secret,
            authenticator: random)
        #expect(request.authenticator == random)
        #expect(try RadiusPacket.verifiedRequest(request.bytes, secret: secret).code == .accessRequest)
        #expect(throws: RadiusPacketError.wrongMessageAuthenticator) {
            try RadiusPacket.verifiedRequest(request.bytes, secret: Array("x".utf8))
        }
        let bare = try RadiusPacket.request(
            code: .accessRequest, identifier: 1, attributes: [], secret: secret, messageAuthenticator: false,
            authenticator: random)
        #expect(throws: RadiusPacketError.wrongMessageAuthenticator) {
            try RadiusPacket.verifiedRequest(bare.bytes, secret: secret)
        }
        #expect(throws: RadiusPacketError.badAuthenticatorLength(0)) {
            try RadiusPacket.request(code: .accessRequest, identifier: 1, attributes: [], secret: secret)
        }
    }
}
