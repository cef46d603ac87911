import Foundation
import Logging
import PorticoCore
import PorticoMail
import PorticoStore
import PorticoTestSupport
import Synchronization
import Testing

/// A real SMTP server on loopback (Python's aiosmtpd), started by the test.
final class LoopbackSMTPServer {
    static let script = #"""
        import asyncio, json, ssl, sys
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        port, refuse, log, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

        def record(entry):
            with open(log, "a") as f:
                f.write(json.dumps(entry) + "\n")

        class Handler:
            def __init__(self):
                self.data_commands = 0
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.startswith("bounce@"):
                    return "550 5.1.1 no such mailbox"
                envelope.rcpt_tos.append(address)
                return "250 OK"
            async def handle_DATA(self, server, session, envelope):
                self.data_commands += 1
                if self.data_commands <= refuse:
                    record({"refused": True})
                    return "451 4.3.0 busy, try again later"
                record({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                        "data": envelope.content.decode("utf-8", "replace"),
                        "authenticated": bool(session.authenticated), "tls": session.ssl is not None})
                return "250 2.0.0 accepted"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"portico" and auth_data.password == b"s3cret"
            return AuthResult(success=ok)

        kwargs = {}
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True)
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        print("ready", flush=True)
        sys.stdin.read()
        controller.stop()
        """#

    let process: ChildProcess
    let port: UInt16
    let log: String

    /// `refuse`: how many DATA commands get `451` first; `tls`: STARTTLS required, AUTH required.
    init(dir: TempDirectory, refuse: Int = 0, tls: (cert: String, key: String)? = nil) throws {
        port = try Self.freePort()
        log = dir.path + "/smtp-\(port).jsonl"
        FileManager.default.createFile(atPath: log, contents: nil)
        let script = try dir.file("smtp_server.py", Self.script)
        process = try ChildProcess(
            ["python3", script, "\(port)", "\(refuse)", log, tls?.cert ?? "", tls?.key ?? ""], input: .pipe,
            output: .pipe)
        let line = process.readOutput(until: "ready")
        guard line.contains("ready") else { throw FixtureError("the SMTP server did not start: \(line)") }
    }

    deinit {
        process.closeInput()
        process.waitUntilExit()
    }

    var entries: [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw FixtureError("no free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}

@Suite(.enabled(if: python(with: ["aiosmtpd"]) != nil, "needs python3 with aiosmtpd (make deps installs it)"))
struct MailDeliveryTests {
    let dir: TempDirectory
    let store: Store
    let clock = TestClock()

    init() throws {
        dir = try TempDirectory("portico-mail")
        store = try Store(path: dir.path + "/p.db")
    }

    func sender(_ settings: SMTPSettings) throws -> OutboxSender {
        let clock = clock
        return OutboxSender(
            store: store, settings: settings, transport: try CurlSMTPTransport(settings: settings),
            logger: Logger(label: "test"), now: { clock.value.load(ordering: .relaxed) })
    }

    func plainSettings(_ server: LoopbackSMTPServer) -> SMTPSettings {
        var s = SMTPSettings()
        s.url = "smtp://127.0.0.1:\(server.port)"
        s.starttls = false
        s.from = "Example ISP <billing@isp.example>"
        s.retryBaseSeconds = 60
        s.timeoutSeconds = 10
        return s
    }

    @Test func retriedAfterTheServerFirstRefusesThenMarkedSentOnce() throws {
        let server = try LoopbackSMTPServer(dir: dir, refuse: 1)
        let id = try store.enqueueMail(
            recipient: "ana@example.net", subject: "Invoice INV-000001 — 30,00 €",
            text: "Hola Ana,\nyour invoice is attached.\n.\nA line with a dot.",
            html: "<p>Hola Ana</p>", kind: "invoice", on: d("2027-03-01"))
        let mail = try sender(plainSettings(server))

        let first = try mail.deliverDue()
        #expect(
            first
                == {
                    var r = DeliveryReport()
                    r.deferred = 1
                    return r
                }())
        #expect(try store.outboxCounts() == OutboxCounts(queued: 1, sent: 0, failed: 0))
        #expect(server.entries.count == 1 && server.entries[0]["refused"] as? Bool == true)
        // Not due again before its back-off (60 s after the first failure).
        clock.value.add(59, ordering: .relaxed)
        #expect(try mail.deliverDue().attempted == 0)
        clock.value.add(1, ordering: .relaxed)
        #expect(try mail.deliverDue().sent == 1)
        #expect(try store.outboxCounts() == OutboxCounts(queued: 0, sent: 1, failed: 0))
        #expect(try mail.deliverDue().attempted == 0)

        let accepted = server.entries.filter { $0["refused"] == nil }
        #expect(accepted.count == 1)
        let message = try #require(accepted.first)
        #expect(message["from"] as? String == "billing@isp.example")
        #expect(message["to"] as? [String] == ["ana@example.net"])
        let data = message["data"] as? String ?? ""
        #expect(data.contains("Subject: =?utf-8?B?"))
        #expect(data.contains("Message-ID: <portico.\(id)."))
        #expect(data.contains("multipart/alternative"))
        // The text part, base64, decodes to exactly what was queued (dot line included).
        let parts = data.components(separatedBy: "Content-Transfer-Encoding: base64")
        let textPart = parts[1].components(separatedBy: "--portico-")[0]
            .split(whereSeparator: \.isNewline).joined()
        #expect(
            String(decoding: Data(base64Encoded: textPart) ?? Data(), as: UTF8.self)
                == "Hola Ana,\nyour invoice is attached.\n.\nA line with a dot.")
    }

    @Test func aPermanentRefusalFailsAtOnce() throws {
        let server = try LoopbackSMTPServer(dir: dir)
        try store.enqueueMail(
            recipient: "bounce@example.net", subject: "x", text: "x", kind: "test", on: d("2027-03-01"))
        let report = try sender(plainSettings(server)).deliverDue()
        #expect(report.failed == 1)
        #expect(try store.outboxCounts() == OutboxCounts(queued: 0, sent: 0, failed: 1))
    }

    @Test func outOfAttemptsIsFailed() throws {
        let server = try LoopbackSMTPServer(dir: dir, refuse: 5)
        try store.enqueueMail(recipient: "ana@example.net", subject: "x", text: "x", kind: "test", on: d("2027-03-01"))
        var settings = plainSettings(server)
        settings.maxAttempts = 2
        let mail = try sender(settings)
        #expect(try mail.deliverDue().deferred == 1)
        clock.value.add(3600, ordering: .relaxed)
        #expect(try mail.deliverDue().failed == 1)
        #expect(try store.outboxCounts().failed == 1)
    }

    @Test func starttlsAndAuth() throws {
        let cert = dir.path + "/cert.pem"
        let key = dir.path + "/key.pem"
        let made = try run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        try #require(made.status == 0, "openssl: \(made.output)")
        let server = try LoopbackSMTPServer(dir: dir, tls: (cert, key))
        try store.enqueueMail(
            recipient: "ana@example.net", subject: "Over TLS", text: "secret", kind: "test", on: d("2027-03-01"))
        var settings = plainSettings(server)
        settings.starttls = true
        settings.caFile = cert
        settings.username = "portico"
        settings.passwordFile = try dir.file("smtp-password", "s3cret\n")
        #expect(try sender(settings).deliverDue().sent == 1)
        let message = try #require(server.entries.first)
        #expect(message["tls"] as? Bool == true)
        #expect(message["authenticated"] as? Bool == true)

        // A wrong password is the installation's problem: the message waits, it is not failed.
        try store.enqueueMail(
            recipient: "ana@example.net", subject: "again", text: "x", kind: "test", on: d("2027-03-01"))
        settings.passwordFile = try dir.file("smtp-password", "wrong\n")
        settings.timeoutSeconds = 3
        #expect(try sender(settings).deliverDue().deferred == 1)
        #expect(try store.outboxCounts() == OutboxCounts(queued: 1, sent: 1, failed: 0))
    }

    @Test func backoffDoublesUpToTheMaximum() {
        #expect(
            (1...8).map { OutboxSender.backoffSeconds(afterFailures: $0, base: 60, max: 3600) }
                == [60, 120, 240, 480, 960, 1920, 3600, 3600])
    }
}

/// Unix seconds, moved by the test.
final class TestClock: Sendable {
    let value = Atomic<Int64>(1_900_000_000)
}
