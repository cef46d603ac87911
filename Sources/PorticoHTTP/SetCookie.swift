/// Builds a `Set-Cookie` header value (RFC 6265 §4.1).
public struct SetCookie: Sendable, Equatable {
    /// The `SameSite` attribute.
    public enum SameSite: String, Sendable {
        case strict = "Strict"
        case lax = "Lax"
        case none = "None"
    }

    /// Cookie name; should be a token (letters, digits, `-`, `_`, ...).
    public var name: String
    /// Cookie value; should be cookie-octets (base64url or hex is safe).
    public var value: String
    /// `Path`; nil omits the attribute.
    public var path: String?
    /// `Max-Age` in seconds; 0 deletes the cookie; nil makes a session cookie.
    public var maxAge: Int?
    /// `HttpOnly`: hidden from page scripts.
    public var httpOnly: Bool
    /// `Secure`: sent over HTTPS only.
    public var secure: Bool
    /// `SameSite`; nil omits the attribute.
    public var sameSite: SameSite?

    /// A cookie with the given attributes; by default `Path=/; HttpOnly; SameSite=Lax`.
    public init(
        name: String,
        value: String,
        path: String? = "/",
        maxAge: Int? = nil,
        httpOnly: Bool = true,
        secure: Bool = false,
        sameSite: SameSite? = .lax
    ) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
        self.sameSite = sameSite
    }

    /// The header value, e.g. `sid=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax`.
    /// Bytes that are not allowed in a name, value or path (controls, space, `;`, `"`, `,`,
    /// `\`, non-ASCII) are percent-encoded so one cookie can never inject another attribute
    /// or header line.
    public var headerValue: String {
        var result = Self.escaped(name, allowEquals: false) + "=" + Self.escaped(value, allowEquals: true)
        if let path { result += "; Path=" + Self.escaped(path, allowEquals: true) }
        if let maxAge { result += "; Max-Age=\(maxAge)" }
        if httpOnly { result += "; HttpOnly" }
        if secure { result += "; Secure" }
        if let sameSite { result += "; SameSite=" + sameSite.rawValue }
        return result
    }

    private static func escaped(_ text: String, allowEquals: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            let forbidden =
                byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\\")
                || (!allowEquals && byte == UInt8(ascii: "="))
            if forbidden {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
