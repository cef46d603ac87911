import PorticoCore
import PorticoRadius
import PorticoTestSupport
import Testing

/// The client against pyrad, a RADIUS implementation standing in for the NAS: what arrives, what
/// pyrad thinks of our authenticators, and which of its answers the client accepts.
@Suite struct CoAClientTests {
    let secret = "nas-secret-1"

    @Test func aCoAArrivesWithItsAttributesAndValidAuthenticatorsAndItsACKIsAccepted() throws {
        let peer = try NASPeer(secret: secret)
        let logs = CapturedLogs()
        let outcome = try quickClient(logs).send(
            .coaRequest,
            attributes: [
                .text(.userName, "aa:bb:cc:dd:ee:01"), .text(.acctSessionId, "81200007"),
                try #require(.ipv4(.framedIPAddress, "10.20.0.7")), .text(.mikrotikAddressList, "portico-suspended"),
                .text(.mikrotikRateLimit, "2M/4M"),
            ],
            to: .loopback(port: peer.port, secret: secret))
        #expect(outcome.isACK)
        let received = peer.waitForReceived(1)
        let request = try #require(received.first)
        #expect(request.code == 43)
        #expect(request.authenticatorValid)
        #expect(request.messageAuthenticatorValid == true)
        #expect(request.attributes["User-Name"] == ["aa:bb:cc:dd:ee:01"])
        #expect(request.attributes["Acct-Session-Id"] == ["81200007"])
        #expect(request.attributes["Framed-IP-Address"] == ["10.20.0.7"])
        #expect(request.attributes["Mikrotik-Address-List"] == ["portico-suspended"])
        #expect(request.attributes["Mikrotik-Rate-Limit"] == ["2M/4M"])
        #expect(logs.with("radius reply refused").isEmpty)
    }

    @Test func aNAKComesBackWithItsErrorCause() throws {
        let peer = try NASPeer(secret: secret, coa: .nak(errorCause: 401))
        let outcome = try quickClient(CapturedLogs()).send(
            .coaRequest, attributes: [.text(.userName, "u"), .text(.filterId, "unknown-filter")],
            to: .loopback(port: peer.port, secret: secret))
        guard case .nak(let cause, let reply) = outcome else {
            Issue.record("expected a NAK, got \(outcome)")
            return
        }
        #expect(cause == .unsupportedAttribute)
        #expect(reply.code == .coaNAK)
    }

    @Test func aDisconnectRequestIsAcknowledged() throws {
        let peer = try NASPeer(secret: secret)
        let outcome = try quickClient(CapturedLogs()).send(
            .disconnectRequest, attributes: [.text(.acctSessionId, "s-9")],
            to: .loopback(port: peer.port, secret: secret))
        #expect(outcome.isACK)
        #expect(peer.waitForReceived(1).first?.code == 40)
    }

    @Test func aWrongSecretGetsNoAcceptedAnswer() throws {
        let peer = try NASPeer(secret: secret)
        let logs = CapturedLogs()
        let outcome = try quickClient(logs, attempts: 2).send(
            .coaRequest, attributes: [.text(.userName, "u")], to: .loopback(port: peer.port, secret: "wrong-secret"))
        #expect(outcome == .timeout(attempts: 2))
        let received = peer.waitForReceived(2)
        #expect(received.count == 2)
        #expect(received.allSatisfy { !$0.authenticatorValid })
        #expect(logs.with("radius request unanswered").count == 1)
    }

    @Test func retransmissionsCarryTheSameIdentifierAndAuthenticator() throws {
        let peer = try NASPeer(secret: secret, coa: .late(copy: 3))
        let outcome = try quickClient(CapturedLogs(), attempts: 3, timeout: .milliseconds(200)).send(
            .coaRequest, attributes: [.text(.userName, "u")], to: .loopback(port: peer.port, secret: secret))
        #expect(outcome.isACK)
        let received = peer.waitForReceived(3)
        #expect(received.count == 3)
        #expect(Set(received.map(\.identifier)).count == 1)
        #expect(Set(received.map(\.authenticator)).count == 1)
        #expect(Set(received.map(\.sourcePort)).count == 1)
    }

    @Test(arguments: [NASPeer.Answer.forged, .replay, .otherSource])
    func aForgedReplayedOrMisdirectedReplyIsRefusedAndLogged(answer: NASPeer.Answer) throws {
        let peer = try NASPeer(secret: secret, coa: answer)
        let nas = NASEndpoint.loopback(port: peer.port, secret: secret)
        let client = quickClient(CapturedLogs(), attempts: 1, timeout: .milliseconds(400))
        // The replay peer needs an earlier answer to replay: the first request's ACK.
        if case .replay = answer {
            _ = try client.send(.coaRequest, attributes: [.text(.userName, "first")], to: nas)
        }
        let logs = CapturedLogs()
        let outcome = try quickClient(logs, attempts: 1, timeout: .milliseconds(400)).send(
            .coaRequest, attributes: [.text(.userName, "second")], to: nas)
        #expect(outcome == .timeout(attempts: 1))
        let refusals = logs.with("radius reply refused")
        #expect(refusals.count == 1)
        #expect(refusals.first?.level == .warning)
        if case .otherSource = answer {
            #expect(refusals.first?.metadata["reason"]?.contains("not the NAS") == true)
        } else {
            #expect(refusals.first?.metadata["reason"]?.contains("authenticator does not match") == true)
        }
    }

    @Test func aForgedReplyBeforeTheRealOneDoesNotHideIt() throws {
        let peer = try NASPeer(secret: secret, coa: .forgedThenACK)
        let logs = CapturedLogs()
        let outcome = try quickClient(logs, attempts: 1).send(
            .coaRequest, attributes: [.text(.userName, "u")], to: .loopback(port: peer.port, secret: secret))
        #expect(outcome.isACK)
        #expect(logs.with("radius reply refused").count == 1)
    }

    @Test func refusesWhatItCannotSend() {
        let client = quickClient(CapturedLogs())
        #expect(throws: CoAClientError.notDynamicAuthorization(.accessRequest)) {
            try client.send(.accessRequest, attributes: [], to: .loopback(port: 3799, secret: "x"))
        }
        #expect(throws: CoAClientError.badAddress("nas.example")) {
            try client.send(.coaRequest, attributes: [], to: NASEndpoint(host: "nas.example", secret: Secret("x")))
        }
        #expect(throws: CoAClientError.packet(.valueTooLong(.userName, length: 300))) {
            try client.send(
                .coaRequest, attributes: [.text(.userName, String(repeating: "u", count: 300))],
                to: .loopback(port: 3799, secret: "x"))
        }
    }
}
