/// Reads the `Cookie` request header (RFC 6265 §5.4): `name=value` pairs separated by `;`.
enum CookieParser {
    /// Cookies from every `Cookie` header; the first value of a name wins. Values are
    /// returned as sent (not percent-decoded); surrounding double quotes are removed.
    static func parse(_ headers: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headers {
            for part in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard let equals = part.firstIndex(of: "=") else { continue }
                let name = trimmed(part[..<equals])
                guard !name.isEmpty, cookies[name] == nil else { continue }
                var value = trimmed(part[part.index(after: equals)...])
                if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                cookies[name] = value
            }
        }
        return cookies
    }

    private static func trimmed(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }
}
