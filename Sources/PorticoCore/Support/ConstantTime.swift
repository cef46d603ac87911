/// Compares two byte strings in time independent of where they differ (signatures, tokens,
/// password hashes): every byte is looked at whatever the first difference.
public func constantTimeEqual(_ x: [UInt8], _ y: [UInt8]) -> Bool {
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// Compares two strings (their UTF-8 bytes) in time independent of where they differ.
public func constantTimeEqual(_ a: String, _ b: String) -> Bool { constantTimeEqual(Array(a.utf8), Array(b.utf8)) }
