// RADIUS packets (`PorticoRadius`): decoding never traps; what decodes encodes back to the same
// packet; a reply verifies only with the right authenticators; a request signed here verifies.
//
// An input is a packet as received. Its first octet, as an Identifier, also picks the request
// the input is checked as a reply to.

import Crypto
import FuzzSupport
import PorticoRadius

private let secret = Array("fuzz-secret".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let packet = try? RadiusPacket.decode(bytes) else { return 0 }
    checkRoundTrip(packet)
    checkAsReply(bytes, packet)
    checkAsRequest(bytes, packet)
    checkSigned(packet)
    return 0
}

/// What decodes, encodes (when it fits) to bytes that decode to the same packet.
private func checkRoundTrip(_ packet: RadiusPacket) {
    guard let encoded = try? packet.encoded() else { return }
    require(encoded.count <= 4096, "encoded \(encoded.count) octets")
    require((try? RadiusPacket.decode(encoded)) == packet, "round trip changed \(packet)")
}

private func md5(_ parts: [UInt8]...) -> [UInt8] {
    var hash = Insecure.MD5()
    for part in parts { hash.update(data: part) }
    return Array(hash.finalize())
}

/// Checked as the answer to a CoA-Request with the input's Identifier: accepted only when its
/// code, Identifier and Response Authenticator are right.
private func checkAsReply(_ bytes: [UInt8], _ packet: RadiusPacket) {
    guard
        let request = try? RadiusPacket.request(
            code: .coaRequest, identifier: packet.identifier, attributes: [.text(.userName, "fuzz")], secret: secret)
    else {
        require(false, "a fixed request failed to build")
        return
    }
    guard let verified = try? RadiusPacket.verifiedResponse(bytes, to: request, secret: secret) else { return }
    require(verified.code == .coaACK || verified.code == .coaNAK, "accepted \(verified.code) for a CoA")
    let length = Int(bytes[2]) << 8 | Int(bytes[3])
    let expected = md5(Array(bytes[0..<4]), request.authenticator, Array(bytes[20..<length]), secret)
    require(expected == verified.authenticator, "accepted a wrong Response Authenticator")
}

/// Accepted as a keyed request only with its Request Authenticator right.
private func checkAsRequest(_ bytes: [UInt8], _ packet: RadiusPacket) {
    guard let verified = try? RadiusPacket.verifiedRequest(bytes, secret: secret) else { return }
    guard verified.code.hasKeyedRequestAuthenticator else {
        require(
            verified.first(.messageAuthenticator) != nil, "an Access-Request accepted without Message-Authenticator")
        return
    }
    let length = Int(bytes[2]) << 8 | Int(bytes[3])
    let expected = md5(Array(bytes[0..<4]), [UInt8](repeating: 0, count: 16), Array(bytes[20..<length]), secret)
    require(expected == verified.authenticator, "accepted a wrong Request Authenticator")
}

/// The input's attributes, signed here as a CoA-Request, verify and come back the same.
private func checkSigned(_ packet: RadiusPacket) {
    let attributes = packet.attributes.filter { $0.key != .messageAuthenticator }
    guard
        let request = try? RadiusPacket.request(
            code: .coaRequest, identifier: packet.identifier, attributes: attributes, secret: secret)
    else { return }
    guard let verified = try? RadiusPacket.verifiedRequest(request.bytes, secret: secret) else {
        require(false, "a request signed here was refused")
        return
    }
    require(Array(verified.attributes.dropFirst()) == attributes, "signing changed the attributes")
    var tampered = request.bytes
    tampered[tampered.count - 1] ^= 0x01
    require((try? RadiusPacket.verifiedRequest(tampered, secret: secret)) == nil, "a changed octet was accepted")
}
