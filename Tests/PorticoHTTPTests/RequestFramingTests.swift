import Testing

@testable import PorticoHTTP

/// The head checks behind `HTTPServer`'s refusals, without sockets.
@Suite struct RequestFramingTests {
    private func refusal(_ fields: [(String, String)], http11: Bool = true) -> RequestFraming.Refusal? {
        var framing = RequestFraming()
        for (name, value) in fields { framing.add(name: name, value: value) }
        return framing.refusal(isHTTP11: http11)
    }

    @Test func ordinaryHeadsPass() {
        #expect(refusal([("Host", "portal.test"), ("Content-Length", "12"), ("Cookie", "a=b")]) == nil)
        #expect(refusal([("host", "portal.test"), ("TRANSFER-ENCODING", "Chunked")]) == nil)
        #expect(refusal([("Host", "portal.test"), ("Content-Length", "3"), ("Content-Length", "3")]) == nil)
        #expect(refusal([("User-Agent", "a\tb")], http11: false) == nil)
    }

    @Test func framingThatCouldBeReadTwoWaysIsRefused() {
        #expect(refusal([("Host", "h"), ("Content-Length", "4"), ("Transfer-Encoding", "chunked")])?.status == 400)
        #expect(refusal([("Host", "h"), ("Content-Length", "1"), ("Content-Length", "2")])?.status == 400)
        #expect(refusal([("Host", "h"), ("Transfer-Encoding", "chunked")], http11: false)?.status == 400)
        #expect(
            refusal([("Host", "h"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")])?.status == 400)
    }

    @Test func unknownCodingsAre501NamingTheCoding() {
        let refused = refusal([("Host", "h"), ("Transfer-Encoding", "xchunked")])
        #expect(refused?.status == 501)
        #expect(refused?.message.contains("\"xchunked\"") == true)
        #expect(refusal([("Host", "h"), ("Transfer-Encoding", "gzip, chunked")])?.status == 501)
        #expect(refusal([("Host", "h"), ("Transfer-Encoding", "")])?.status == 501)
    }

    @Test func namesMustBeTokensAndValuesFreeOfControls() {
        let refused = refusal([("Host", "h"), ("X\u{01}Y", "1")])
        #expect(refused?.status == 400)
        #expect(refused?.message.contains("X\\x01Y") == true)
        #expect(refusal([("Host", "h"), ("", "1")])?.status == 400)
        #expect(refusal([("Host", "h"), ("X-A", "a\u{1B}b")])?.status == 400)
        #expect(refusal([("Host", "h"), ("X-A", "a\u{7F}")])?.status == 400)
    }

    @Test func hostOnceInHTTP11() {
        #expect(refusal([])?.status == 400)
        #expect(refusal([], http11: false) == nil)
        #expect(refusal([("Host", "a"), ("HOST", "b")])?.status == 400)
    }

    @Test func forbiddenTargetBytes() {
        #expect(RequestFraming.targetHasForbiddenByte(Array("/a b".utf8)))
        #expect(RequestFraming.targetHasForbiddenByte([0x2F, 0x00]))
        #expect(RequestFraming.targetHasForbiddenByte([0x2F, 0x7F]))
        #expect(!RequestFraming.targetHasForbiddenByte(Array("/a%20b?x=é".utf8)))
    }
}
