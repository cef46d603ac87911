import Crypto
import PorticoCore

/// Random bytes from the system generator: CSRF and gateway keys, session and API tokens,
/// checkout ids, password salts.
public func randomBytes(_ n: Int) -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
}

/// What the database keeps of a bearer token or a session cookie: the lower-case hex SHA-256 of
/// its UTF-8 bytes, so a copy of the database opens no session and calls no API.
public func tokenHash(_ token: String) -> String {
    hexString(SHA256.hash(data: Array(token.utf8)))
}
