import Testing

@testable import PorticoHTTP

/// Splitting and decoding the request target, without sockets.
@Suite struct RequestTargetTests {
    private func parse(_ raw: String) throws(RequestTarget.Failure) -> RequestTarget {
        try RequestTarget.parse(Array(raw.utf8))
    }

    @Test func originFormIsSplitAndThePathDecoded() throws {
        #expect(try parse("/a%20b/c+d?x=1&y=%20") == RequestTarget(path: "/a b/c+d", rawQuery: "x=1&y=%20"))
        #expect(try parse("/") == RequestTarget(path: "/", rawQuery: ""))
        #expect(try parse("/p?") == RequestTarget(path: "/p", rawQuery: ""))
        #expect(try parse("/a%2Fb") == RequestTarget(path: "/a/b", rawQuery: ""))
    }

    @Test func absoluteFormKeepsOnlyPathAndQuery() throws {
        #expect(
            try parse("http://captive.apple.com/hotspot-detect.html")
                == RequestTarget(path: "/hotspot-detect.html", rawQuery: ""))
        #expect(try parse("HTTPS://host:8443?x=1") == RequestTarget(path: "/", rawQuery: "x=1"))
        #expect(try parse("*") == RequestTarget(path: "*", rawQuery: ""))
    }

    @Test func badTargetsAreRefused() {
        #expect(throws: RequestTarget.Failure.malformedEscape) { try parse("/a%zz") }
        #expect(throws: RequestTarget.Failure.malformedEscape) { try parse("/a%4") }
        #expect(throws: RequestTarget.Failure.invalidUTF8) { try parse("/%C3") }
        #expect(throws: RequestTarget.Failure.nulByte) { try parse("/a%00b") }
        #expect(throws: RequestTarget.Failure.unsupportedForm) { try parse("relative/path") }
        #expect(throws: RequestTarget.Failure.unsupportedForm) { try parse("") }
        #expect(throws: RequestTarget.Failure.forbiddenByte) { try parse("/a b") }
        #expect(throws: RequestTarget.Failure.forbiddenByte) { try parse("/a\u{01}") }
        #expect(throws: RequestTarget.Failure.forbiddenByte) { try parse("/?q=\u{7F}") }
        #expect(throws: RequestTarget.Failure.forbiddenByte) { try RequestTarget.parse([0x2F, 0x00, 0x61]) }
    }
}
