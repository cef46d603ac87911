import Crypto
import Foundation
import PorticoCore
import PorticoWebSupport
import _CryptoExtras

/// Admin passwords, hashed with scrypt (memory-hard; BoringSSL's through swift-crypto's
/// `_CryptoExtras`). A hash names its parameters and salt, `scrypt$N$r$p$salt$hash` (hex), so
/// stronger parameters can be introduced without breaking existing users.
public struct PasswordHasher: Sendable {
    /// CPU/memory cost (a power of two), block size, parallelism. The defaults use 32 MiB and
    /// about a tenth of a second here: OWASP's scrypt recommendation is N=2^17 at r=8, or
    /// trades of N for p; 2^15 keeps a sign-in quick on a 2-core box.
    public var n: Int
    public var r: Int
    public var p: Int

    public init(n: Int = 1 << 15, r: Int = 8, p: Int = 1) {
        self.n = n
        self.r = r
        self.p = p
    }

    /// Cheap parameters for tests only.
    public static let fastForTests = PasswordHasher(n: 1 << 10, r: 8, p: 1)

    /// The shortest password `admin create` accepts.
    public static let minimumLength = 10

    public func hash(_ password: String) throws -> String {
        let salt = randomBytes(16)
        let key = try Self.derive(password, salt: salt, n: n, r: r, p: p)
        return "scrypt$\(n)$\(r)$\(p)$\(hexString(salt))$\(hexString(key))"
    }

    /// Whether `password` matches `stored`; a malformed hash never matches.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]),
            let p = Int(parts[3]), n > 1, n.nonzeroBitCount == 1, (1...32).contains(r), (1...16).contains(p),
            let salt = bytes(hex: parts[4]), let expected = bytes(hex: parts[5]), expected.count == 32,
            let key = try? derive(password, salt: salt, n: n, r: r, p: p)
        else { return false }
        return constantTimeEqual(hexString(key), hexString(expected))
    }

    /// A hash to check against when the username is unknown, so the answer takes as long as
    /// for a known one and does not reveal which usernames exist.
    public static let decoy: String = (try? PasswordHasher().hash(hexString(randomBytes(16)))) ?? ""

    static func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: n,
            blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
