/// Addresses as SMTP needs them.
public enum MailAddress {
    /// The bare address of `Name <user@host>` or `user@host`, for the envelope (MAIL FROM,
    /// RCPT TO); nil when it is not one address or holds characters that would break a command.
    public static func envelope(_ text: String) -> String? {
        var address = text.trimmed(" \t")
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."),
            address.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7f && !"<>()[],;:\\\"".unicodeScalars.contains($0)
            })
        else { return nil }
        return address
    }
}

extension String {
    func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
