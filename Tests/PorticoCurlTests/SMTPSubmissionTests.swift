import Foundation
import PorticoCurl
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SMTP submission against a scripted SMTP server on a raw loopback socket: the envelope, the
/// data as the server receives it (dot-stuffed), and a refusal's reply code and sentence.
/// (`MailDeliveryTests` runs the same code against a real server, aiosmtpd, with STARTTLS and AUTH.)
@Suite struct SMTPSubmissionTests {
    /// What the scripted server saw: the commands, and the data (still dot-stuffed).
    final class Conversation: Sendable {
        let commands = Mutex<[String]>([])
        let data = Mutex<String>("")
    }

    /// A server that answers 250 to everything but `refuse` (a command prefix → its reply).
    static func server(_ conversation: Conversation, refuse: [String: String] = [:]) throws -> RawLoopbackServer {
        try RawLoopbackServer { fd in
            var reader = LineReader(fd: fd)
            write(fd, "220 loopback ESMTP\r\n")
            while let line = reader.line() {
                conversation.commands.withLock { $0.append(line) }
                if let reply = refuse.first(where: { line.hasPrefix($0.key) })?.value {
                    write(fd, reply + "\r\n")
                    continue
                }
                switch line.prefix(4).uppercased() {
                case "EHLO": write(fd, "250-loopback\r\n250 8BITMIME\r\n")
                case "DATA":
                    write(fd, "354 go ahead\r\n")
                    var data = ""
                    while let l = reader.line(), l != "." { data += l + "\r\n" }
                    conversation.data.withLock { $0 = data }
                    write(fd, "250 2.0.0 queued\r\n")
                case "QUIT":
                    write(fd, "221 bye\r\n")
                    return
                default: write(fd, "250 OK\r\n")
                }
            }
        }
    }

    @Test func theMessageArrivesWithItsEnvelopeAndDotsStuffed() throws {
        let conversation = Conversation()
        let server = try Self.server(conversation)
        defer { server.stop() }
        let message = "Subject: Invoice\r\n\r\nHola Ana,\r\n.\r\n..two dots\r\n"
        try SMTPSubmission(
            url: "smtp://127.0.0.1:\(server.port)", from: "billing@isp.example", recipients: ["ana@example.net"],
            data: Array(message.utf8), requireTLS: false
        ).send()
        let commands = conversation.commands.withLock { $0 }
        #expect(commands.contains("MAIL FROM:<billing@isp.example>"))
        #expect(commands.contains("RCPT TO:<ana@example.net>"))
        // SMTP's transparency rule (RFC 5321 §4.5.2): a line starting with a dot gets one more.
        #expect(conversation.data.withLock { $0 } == "Subject: Invoice\r\n\r\nHola Ana,\r\n..\r\n...two dots\r\n")
    }

    @Test func aRefusedRecipientCarriesTheReplyAndLibcurlsSentence() throws {
        let conversation = Conversation()
        let server = try Self.server(conversation, refuse: ["RCPT": "550 5.1.1 no such mailbox"])
        defer { server.stop() }
        let error = try #require(throws: CurlError.self) {
            try SMTPSubmission(
                url: "smtp://127.0.0.1:\(server.port)", from: "billing@isp.example", recipients: ["bounce@example.net"],
                data: Array("Subject: x\r\n\r\nx\r\n".utf8), requireTLS: false
            ).send()
        }
        #expect(error.responseCode == 550)
        #expect(error.detail.hasPrefix("RCPT failed: 550"))
        #expect(conversation.data.withLock { $0 }.isEmpty)
    }

    @Test func starttlsRequiredRefusesAServerWithoutIt() throws {
        let conversation = Conversation()
        let server = try Self.server(conversation)
        defer { server.stop() }
        let error = try #require(throws: CurlError.self) {
            try SMTPSubmission(
                url: "smtp://127.0.0.1:\(server.port)", from: "billing@isp.example", recipients: ["ana@example.net"],
                data: Array("Subject: x\r\n\r\nx\r\n".utf8)
            ).send()
        }
        #expect(error.tlsFailure)
        #expect(!conversation.commands.withLock { $0 }.contains { $0.hasPrefix("MAIL") })
    }
}

/// CRLF-terminated lines from a socket.
struct LineReader {
    let fd: Int32
    var buffer: [UInt8] = []

    mutating func line() -> String? {
        while true {
            if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { return nil }
            buffer += chunk[..<n]
        }
    }
}
