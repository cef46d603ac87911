import Testing

@testable import PorticoHTTP

/// application/x-www-form-urlencoded parsing, without sockets.
@Suite struct FormDecoderTests {
    private func form(_ body: String, contentType: String? = "application/x-www-form-urlencoded")
        throws(FormDecodingError) -> [String: String]
    {
        var headers = HTTPHeaders()
        if let contentType { headers.append(name: "Content-Type", value: contentType) }
        return try HTTPRequest(method: "POST", path: "/", headers: headers, body: Array(body.utf8)).formValues()
    }

    @Test func keepsEmptyValuesAndKeysWithoutEquals() throws {
        #expect(try form("a=&b") == ["a": "", "b": ""])
        #expect(try form("x=1&y=") == ["x": "1", "y": ""])
        #expect(try form("") == [:])
        #expect(try form("&&a=1&&") == ["a": "1"])
    }

    @Test func decodesPlusAndPercentEscapes() throws {
        #expect(try form("name=Ana+Mar%C3%ADa&sum=1%2B1%3D2") == ["name": "Ana María", "sum": "1+1=2"])
        #expect(try form("a%20b=c+d") == ["a b": "c d"])
        #expect(try form("eq=a=b") == ["eq": "a=b"])
    }

    @Test func firstValueWinsAndFieldsKeepEveryValue() throws {
        #expect(try form("months=3&months=6") == ["months": "3"])
        let request = HTTPRequest(method: "POST", path: "/", body: Array("m=3&m=6&n=1".utf8))
        #expect(try request.formFields().map { "\($0.name)=\($0.value)" } == ["m=3", "m=6", "n=1"])
    }

    @Test func malformedEscapesAreTypedErrors() {
        #expect(throws: FormDecodingError.malformedEscape(offset: 2)) { try form("a=%zz") }
        #expect(throws: FormDecodingError.malformedEscape(offset: 6)) { try form("ok=1&b%4") }
        #expect(throws: FormDecodingError.malformedEscape(offset: 0)) { try form("%") }
        #expect(throws: FormDecodingError.invalidUTF8(offset: 2)) { try form("a=%FF") }
    }

    @Test func acceptsFormContentTypeWithParametersAndRefusesOthers() throws {
        #expect(try form("a=1", contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8") == ["a": "1"])
        #expect(try form("a=1", contentType: nil) == ["a": "1"])
        #expect(throws: FormDecodingError.unsupportedContentType("application/json")) {
            try form(#"{"a":1}"#, contentType: "application/json")
        }
    }

    @Test func queryIsLenientAboutMalformedEscapes() {
        let request = HTTPRequest(method: "GET", path: "/", rawQuery: "q=100%&r=%zz&s=%41")
        #expect(request.query == ["q": "100%", "r": "%zz", "s": "A"])
    }
}
