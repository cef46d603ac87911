import Foundation

/// One email ready for SMTP: envelope and the RFC 5322 message text (CRLF line ends,
/// `multipart/alternative` with a plain-text and an HTML part, each base64 so any UTF-8 and any
/// line length travel through every relay unchanged).
public struct MailMessage: Sendable, Equatable {
    public var envelopeFrom: String
    public var recipient: String
    public var data: [UInt8]

    /// `id` makes the Message-ID and the MIME boundary unique and stable for one outbox row, so
    /// a message retried after a lost answer is recognisably the same message.
    public init(
        id: Int64, from: String, to: String, subject: String, text: String, html: String,
        domain: String? = nil, date: Date = Date()
    ) throws(MailConfigurationError) {
        guard let sender = MailAddress.envelope(from) else {
            throw MailConfigurationError(key: "smtp.from", message: "'\(from)' is not an email address")
        }
        guard let rcpt = MailAddress.envelope(to) else {
            throw MailConfigurationError(key: "recipient", message: "'\(to)' is not an email address")
        }
        envelopeFrom = sender
        recipient = rcpt
        let host = domain ?? String(sender.split(separator: "@").last ?? "localhost")
        let boundary = "portico-\(id)-\(Self.hash(subject + to))"
        var lines: [String] = [
            "From: \(Self.headerText(from))",
            "To: \(rcpt)",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <portico.\(id).\(Self.hash(subject + to))@\(host)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if html.isEmpty {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += Self.base64Lines(text)
        } else {
            lines += ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""]
            for (type, body) in [("text/plain", text), ("text/html", html)] {
                lines += [
                    "--\(boundary)", "Content-Type: \(type); charset=utf-8",
                    "Content-Transfer-Encoding: base64", "",
                ]
                lines += Self.base64Lines(body)
            }
            lines.append("--\(boundary)--")
        }
        data = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A header value: ASCII as it is (control characters removed, so no header can be
    /// injected), anything else as an RFC 2047 encoded word.
    static func headerText(_ text: String) -> String {
        let clean = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        return clean.unicodeScalars.allSatisfy(\.isASCII) ? clean : encodedWord(clean)
    }

    /// `=?utf-8?B?…?=` words of at most 75 characters (RFC 2047 §2), folded onto new lines.
    static func encodedWord(_ text: String) -> String {
        let clean = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        if clean.unicodeScalars.allSatisfy(\.isASCII) && clean.count <= 900 { return clean }
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in clean {
            let bytes = Array(String(ch).utf8)
            // 45 bytes → 60 base64 characters, + 12 of framing: under 75.
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var out: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            out.append(String(encoded[index..<end]))
            index = end
        }
        return out
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }

    /// FNV-1a, in hex: a short stable tag, not a security measure.
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }
}
