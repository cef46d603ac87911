import Foundation
import Testing

/// Why the API keeps its own RFC 8259 check (`APIJSONSyntax`) in front of Foundation's parsers:
/// what Foundation alone does with such bodies on this toolchain. If one of these starts
/// failing, Foundation changed, and the checker may be smaller or go.
@Suite struct FoundationJSONTests {
    struct Body: Decodable { var amount: Int }

    func serialized(_ text: String) -> Int?? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return nil
        }
        return .some((value as? [String: Any])?["amount"] as? Int)
    }

    func decoded(_ text: String) -> Int? { try? JSONDecoder().decode(Body.self, from: Data(text.utf8)).amount }

    @Test func bothAcceptTrailingCommas() {
        #expect(serialized(#"{"amount":1,}"#) == .some(1))
        #expect(decoded(#"{"amount":1,}"#) == 1)
        #expect(decoded(#"{"amount":1,"x":[1,2,]}"#) == 1)
    }

    /// The key check reads `JSONSerialization`'s dictionary and the handler `JSONDecoder`'s
    /// struct: with a repeated key they would check one value and use the other.
    @Test func theyDisagreeOnARepeatedKey() {
        #expect(serialized(#"{"amount":1,"amount":-5}"#) == .some(-5))
        #expect(decoded(#"{"amount":1,"amount":-5}"#) == 1)
        #expect(decoded(#"{"amount":1,"\u0061mount":-5}"#) == 1)
    }

    @Test func theDecoderAcceptsWhatTheSerializerRefuses() {
        for text in [#"{"amount":1,"s":"\ud800"}"#, "{\"amount\":1,\"s\":\"a\u{01}b\"}"] {
            #expect(serialized(text) == nil, "\(text)")
            #expect(decoded(text) == 1, "\(text)")
        }
    }

    /// Not a reason: both refuse nesting past 512 levels (the checker's own limit is 32).
    @Test func bothRefuseDeepNesting() {
        let deep = #"{"amount":1,"x":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(serialized(deep) == nil)
        #expect(decoded(deep) == nil)
    }
}
