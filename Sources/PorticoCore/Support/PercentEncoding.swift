/// RFC 3986 percent-encoding: every byte of the UTF-8 but the unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`) becomes `%XX` (upper-case hex); bytes in `keeping` stay literal too.
public func percentEncoded(_ s: String, keeping: Set<UInt8> = []) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(UnicodeScalar(b))
        default:
            if keeping.contains(b) {
                out.unicodeScalars.append(UnicodeScalar(b))
            } else {
                out += "%" + hexString([b]).uppercased()
            }
        }
    }
    return out
}
