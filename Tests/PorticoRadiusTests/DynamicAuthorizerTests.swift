import PorticoRadius
import PorticoTestSupport
import Testing

/// The policy: CoA first, Disconnect after a CoA-NAK when configured, or Disconnect only.
@Suite struct DynamicAuthorizerTests {
    let secret = "nas-secret-2"
    let session = SessionIdentity(
        userName: "aa:bb:cc:dd:ee:02", acctSessionId: "81200009", framedIPAddress: "10.20.0.9",
        callingStationId: "AA:BB:CC:DD:EE:02", nasIPAddress: "127.0.0.1")
    let walledIn: [RadiusAttribute] = [.text(.mikrotikAddressList, "portico-suspended")]

    func authorizer(_ policy: DynamicAuthorizationPolicy = .init()) -> DynamicAuthorizer {
        DynamicAuthorizer(client: quickClient(CapturedLogs()), policy: policy, now: { 1_772_366_400 })
    }

    @Test func aCoAACKChangesTheSessionWithItsIdentityAndTimestamp() throws {
        let peer = try NASPeer(secret: secret)
        let result = try authorizer().apply(walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .changed)
        #expect(result.disconnect == nil)
        let request = try #require(peer.waitForReceived(1).first)
        #expect(request.code == 43)
        #expect(request.attributes["NAS-IP-Address"] == ["127.0.0.1"])
        #expect(request.attributes["Acct-Session-Id"] == ["81200009"])
        #expect(request.attributes["Calling-Station-Id"] == ["AA:BB:CC:DD:EE:02"])
        #expect(request.attributes["Mikrotik-Address-List"] == ["portico-suspended"])
        #expect(request.attributes["Event-Timestamp"] == ["1772366400"])
    }

    @Test func aCoANAKFallsBackToDisconnect() throws {
        let peer = try NASPeer(secret: secret, coa: .nak(errorCause: 405), disconnect: .ack)
        let result = try authorizer().apply(walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .disconnected)
        guard case .nak(let cause, _) = result.coa else {
            Issue.record("expected the CoA to be NAK'd, got \(String(describing: result.coa))")
            return
        }
        #expect(cause == .unsupportedService)
        let received = peer.waitForReceived(2)
        #expect(received.map(\.code) == [43, 40])
        #expect(received.last?.attributes["Acct-Session-Id"] == ["81200009"])
        #expect(received.last?.attributes["Mikrotik-Address-List"] == nil, "a Disconnect names the session only")
        #expect(received.allSatisfy { $0.authenticatorValid && $0.messageAuthenticatorValid == true })
    }

    @Test func withoutTheFallbackANAKIsARefusal() throws {
        let peer = try NASPeer(secret: secret, coa: .nak(errorCause: 407))
        let result = try authorizer(.init(disconnectAfterNAK: false)).apply(
            walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .refused(.invalidAttributeValue))
        #expect(result.verdict.isFinal)
        #expect(peer.waitForReceived(1).count == 1)
    }

    @Test func aSessionTheNASDoesNotKnowIsGoneWithoutADisconnect() throws {
        let peer = try NASPeer(secret: secret, coa: .nak(errorCause: 503))
        let result = try authorizer().apply(walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .sessionGone)
        #expect(result.disconnect == nil)
    }

    @Test func disconnectOnlySendsNoCoA() throws {
        let peer = try NASPeer(secret: secret)
        let result = try authorizer(.init(disconnectOnly: true)).apply(
            walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .disconnected)
        #expect(result.coa == nil)
        #expect(peer.waitForReceived(1).map(\.code) == [40])
        let dropped = try authorizer().disconnect(session, at: .loopback(port: peer.port, secret: secret))
        #expect(dropped.verdict == .disconnected)
        let received = peer.waitForReceived(2)
        #expect(received.map(\.code) == [40, 40])
        #expect(received.last?.attributes["User-Name"] == ["aa:bb:cc:dd:ee:02"])
    }

    @Test func anUnansweredCoAIsNotFinal() throws {
        let peer = try NASPeer(secret: secret, coa: .silent)
        let authorizer = DynamicAuthorizer(
            client: quickClient(CapturedLogs(), attempts: 2, timeout: .milliseconds(150)), now: { 0 })
        let result = try authorizer.apply(walledIn, to: session, at: .loopback(port: peer.port, secret: secret))
        #expect(result.verdict == .unanswered)
        #expect(!result.verdict.isFinal)
        #expect(result.disconnect == nil, "no Disconnect after a timeout: the NAS may be down")
    }

    @Test func refusesASessionWithNothingToIdentifyIt() {
        #expect(throws: DynamicAuthorizer.Failure.session(.nothingIdentifiesTheSession)) {
            try authorizer().apply(
                walledIn, to: SessionIdentity(nasIPAddress: "127.0.0.1"), at: .loopback(port: 9, secret: "x"))
        }
        #expect(throws: DynamicAuthorizer.Failure.session(.notIPv4(field: "Framed-IP-Address", value: "10.0.0"))) {
            try authorizer().apply(
                walledIn, to: SessionIdentity(framedIPAddress: "10.0.0"), at: .loopback(port: 9, secret: "x"))
        }
    }
}
