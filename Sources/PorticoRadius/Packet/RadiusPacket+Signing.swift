import Crypto

/// A request as sent: its bytes, and what its reply is checked against.
public struct EncodedRequest: Sendable, Hashable {
    public let code: RadiusCode
    public let identifier: UInt8
    /// The Request Authenticator in the bytes (a reply's Response Authenticator covers it).
    public let authenticator: [UInt8]
    /// The packet to put on the wire; retransmissions send exactly these bytes again.
    public let bytes: [UInt8]
}

extension RadiusPacket {
    /// Builds a request and signs it with `secret`.
    ///
    /// - Accounting-Request, CoA-Request, Disconnect-Request (RFC 2866 §3, RFC 5176 §3.3): the
    ///   Request Authenticator is MD5(Code, Identifier, Length, 16 zero octets, Attributes,
    ///   secret).
    /// - Access-Request and Status-Server: `authenticator` (16 random octets the caller draws).
    /// - With `messageAuthenticator`, a Message-Authenticator goes first (RFC 3579 §3.2, RFC 5176
    ///   §3.2): HMAC-MD5 keyed with the secret over the packet with that attribute zeroed, and the
    ///   Authenticator field zeroed for the keyed requests; it is computed before the Request
    ///   Authenticator, which covers it.
    ///
    /// - Throws: `RadiusPacketError` for values or a packet too long, or a random authenticator
    ///   that is not 16 octets.
    public static func request(
        code: RadiusCode, identifier: UInt8, attributes: [RadiusAttribute], secret: [UInt8],
        messageAuthenticator: Bool = true, authenticator: [UInt8]? = nil
    ) throws(RadiusPacketError) -> EncodedRequest {
        let keyed = code.hasKeyedRequestAuthenticator
        let initial = keyed ? zeroAuthenticator : (authenticator ?? [])
        guard initial.count == authenticatorLength else { throw .badAuthenticatorLength(initial.count) }
        var bytes = try withMessageAuthenticator(
            RadiusPacket(code: code, identifier: identifier, authenticator: initial, attributes: attributes),
            include: messageAuthenticator
        ).encoded()
        if messageAuthenticator {
            bytes.replaceSubrange(messageAuthenticatorRange, with: hmac(bytes, secret))
        }
        if keyed {
            bytes.replaceSubrange(4..<20, with: md5(bytes, secret))
        }
        return EncodedRequest(code: code, identifier: identifier, authenticator: Array(bytes[4..<20]), bytes: bytes)
    }

    /// Builds a reply to a request whose Request Authenticator was `requestAuthenticator`: the
    /// Response Authenticator is MD5(Code, Identifier, Length, Request Authenticator, Attributes,
    /// secret) (RFC 2865 §3, RFC 5176 §3.3). A Message-Authenticator, when asked for, is computed
    /// first over the packet with the Request Authenticator in place (RFC 3579 §3.2, RFC 5176 §3.2).
    public static func response(
        code: RadiusCode, identifier: UInt8, attributes: [RadiusAttribute], requestAuthenticator: [UInt8],
        secret: [UInt8], messageAuthenticator: Bool = false
    ) throws(RadiusPacketError) -> [UInt8] {
        guard requestAuthenticator.count == authenticatorLength else {
            throw .badAuthenticatorLength(requestAuthenticator.count)
        }
        var bytes = try withMessageAuthenticator(
            RadiusPacket(
                code: code, identifier: identifier, authenticator: requestAuthenticator, attributes: attributes),
            include: messageAuthenticator
        ).encoded()
        if messageAuthenticator {
            bytes.replaceSubrange(messageAuthenticatorRange, with: hmac(bytes, secret))
        }
        bytes.replaceSubrange(4..<20, with: md5(bytes, secret))
        return bytes
    }

    /// Decodes a reply to `request` and checks it: an answer code of the request, the request's
    /// Identifier, the Response Authenticator, and the Message-Authenticator when there is one.
    ///
    /// A Message-Authenticator in a CoA, Disconnect or Accounting reply is accepted computed either
    /// as RFC 5176 §3.2 says (Request Authenticator in place) or as FreeRADIUS computes it (16 zero
    /// octets in place); both are keyed with the secret.
    ///
    /// - Throws: `RadiusPacketError`: malformed, `.unexpectedCode`, `.unexpectedIdentifier`,
    ///   `.wrongAuthenticator` or `.wrongMessageAuthenticator`.
    public static func verifiedResponse(
        _ bytes: [UInt8], to request: EncodedRequest, secret: [UInt8]
    ) throws(RadiusPacketError) -> RadiusPacket {
        let (packet, length, messageAuthenticatorAt) = try decodeWithMessageAuthenticator(bytes)
        guard let replies = request.code.replies, packet.code == replies.ack || packet.code == replies.nak else {
            throw .unexpectedCode(packet.code, request: request.code)
        }
        guard packet.identifier == request.identifier else {
            throw .unexpectedIdentifier(received: packet.identifier, expected: request.identifier)
        }
        var signed = Array(bytes[0..<length])
        signed.replaceSubrange(4..<20, with: request.authenticator)
        guard constantTimeEqual(md5(signed, secret), packet.authenticator) else { throw .wrongAuthenticator }
        if let at = messageAuthenticatorAt {
            let received = Array(signed[at..<(at + authenticatorLength)])
            signed.replaceSubrange(at..<(at + authenticatorLength), with: zeroAuthenticator)
            var valid = constantTimeEqual(hmac(signed, secret), received)
            if !valid && request.code != .accessRequest {
                signed.replaceSubrange(4..<20, with: zeroAuthenticator)
                valid = constantTimeEqual(hmac(signed, secret), received)
            }
            guard valid else { throw .wrongMessageAuthenticator }
        }
        return packet
    }

    /// Decodes a received request and checks it with `secret`: the keyed Request Authenticator
    /// of Accounting, CoA and Disconnect requests, and the Message-Authenticator. An
    /// Access-Request or Status-Server has nothing keyed but its Message-Authenticator, so it is
    /// required there.
    ///
    /// - Throws: `RadiusPacketError`: malformed, `.wrongAuthenticator`, `.wrongMessageAuthenticator`.
    public static func verifiedRequest(_ bytes: [UInt8], secret: [UInt8]) throws(RadiusPacketError) -> RadiusPacket {
        let (packet, length, messageAuthenticatorAt) = try decodeWithMessageAuthenticator(bytes)
        var signed = Array(bytes[0..<length])
        let keyed = packet.code.hasKeyedRequestAuthenticator
        if keyed {
            signed.replaceSubrange(4..<20, with: zeroAuthenticator)
            guard constantTimeEqual(md5(signed, secret), packet.authenticator) else { throw .wrongAuthenticator }
        }
        guard let at = messageAuthenticatorAt else {
            if keyed { return packet }
            throw .wrongMessageAuthenticator
        }
        let received = Array(signed[at..<(at + authenticatorLength)])
        signed.replaceSubrange(at..<(at + authenticatorLength), with: zeroAuthenticator)
        guard constantTimeEqual(hmac(signed, secret), received) else { throw .wrongMessageAuthenticator }
        return packet
    }

    static let zeroAuthenticator = [UInt8](repeating: 0, count: authenticatorLength)
    /// Where the Message-Authenticator's value is when it is the first attribute.
    static let messageAuthenticatorRange = (headerLength + 2)..<(headerLength + 2 + authenticatorLength)

    /// The packet with a zeroed Message-Authenticator as its first attribute (any other dropped).
    private static func withMessageAuthenticator(_ packet: RadiusPacket, include: Bool) -> RadiusPacket {
        var copy = packet
        copy.attributes.removeAll { $0.key == AttributeKey.messageAuthenticator }
        if include {
            copy.attributes.insert(RadiusAttribute(AttributeKey.messageAuthenticator, zeroAuthenticator), at: 0)
        }
        return copy
    }

    static func md5(_ bytes: [UInt8], _ secret: [UInt8]) -> [UInt8] {
        var hash = Insecure.MD5()
        hash.update(data: bytes)
        hash.update(data: secret)
        return Array(hash.finalize())
    }

    static func hmac(_ bytes: [UInt8], _ secret: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.MD5>.authenticationCode(for: bytes, using: SymmetricKey(data: secret)))
    }

    /// Compares every octet whatever the first difference, so the time taken tells nothing.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
