// The `Cookie` header: `CookieParser`, through `HTTPRequest` as the server calls it.
import FuzzSupport

@testable import PorticoHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Each line is one `Cookie` header.
    let headers = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    let cookies = CookieParser.parse(headers)

    var h = HTTPHeaders()
    for header in headers { h.append(name: "Cookie", value: header) }
    require(HTTPRequest(method: "GET", path: "/", headers: h).cookies == cookies, "HTTPRequest reads other cookies")

    for (name, value) in cookies {
        require(!name.isEmpty, "an empty cookie name")
        require(!name.contains(";") && !name.contains("="), "cookie name '\(name)' holds a separator")
        require(!value.contains(";"), "cookie value '\(value)' holds a separator")
        let blank: Set<Character> = [" ", "\t"]
        require(!blank.contains(name.first!) && !blank.contains(name.last!), "cookie name '\(name)' is not trimmed")
    }

    // Written back as one header, every value quoted (so its own quotes and blanks survive),
    // the cookies read the same. Separators are matched per Character, so the property is
    // checked on ASCII input, where a Character is a byte.
    if bytes.allSatisfy({ $0 < 0x80 }) {
        let header = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: "; ")
        require(CookieParser.parse([header]) == cookies, "cookies written back read differently: \(header)")
    }
    return 0
}
