import Foundation
import PorticoHTTP
import PorticoTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener on 127.0.0.1 whose connections a test answers byte by byte: for streams and
/// for servers that accept and never answer, which `HTTPServer` cannot play.
///
/// `@unchecked Sendable`: the descriptors are set once in `init`; the accept thread only reads
/// them, and `stop` (shutdown, then close) is the one writer afterwards.
final class RawLoopbackServer: @unchecked Sendable {
    let listener: Int32
    let port: UInt16

    /// `answer` runs on a thread of its own for each accepted connection, with its descriptor
    /// (closed after it returns). With `accepting` false the kernel completes the handshake
    /// (the backlog) but nothing ever reads or answers.
    init(accepting: Bool = true, answer: @escaping @Sendable (Int32) -> Void = { _ in }) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound, listen(listener, 16) == 0 else { throw FixtureError("cannot listen on 127.0.0.1") }
        port = UInt16(bigEndian: address.sin_port)
        guard accepting else { return }
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread {
                    answer(connection)
                    close(connection)
                }
            }
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}

/// Reads a request head (through the blank line) from `fd`; nil when the peer closed first.
func readRequestHead(_ fd: Int32) -> String? {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while !bytes.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
        let n = read(fd, &chunk, chunk.count)
        guard n > 0 else { return nil }
        bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes all of `text` to `fd`; false when the peer has gone.
@discardableResult
func write(_ fd: Int32, _ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { return false }
        sent += n
    }
    return true
}

/// Blocks until the peer closes `fd` (reading and dropping whatever it sends).
func waitForClose(_ fd: Int32) {
    var chunk = [UInt8](repeating: 0, count: 1024)
    while read(fd, &chunk, chunk.count) > 0 {}
}

/// `HTTPServer` on 127.0.0.1, port 0, answering with `handler`; optionally HTTPS.
func startHTTPServer(
    tls: TLSFiles? = nil, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
) throws -> HTTPServer {
    let server = HTTPServer(
        configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: tls), handler: handler)
    try server.start()
    return server
}

/// A self-signed certificate for 127.0.0.1 (openssl) and the SHA-256 pin of its public key in
/// CURLOPT_PINNEDPUBLICKEY's form.
struct TestCertificate {
    let files: TLSFiles
    let pin: String

    init(in dir: TestDirectory) throws {
        let cert = dir.path + "/cert.pem"
        let key = dir.path + "/key.pem"
        let made = try ChildProcess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ], mergeError: true)
        guard made.status == 0 else { throw FixtureError("openssl req: \(made.output)") }
        let pin = try ChildProcess.run([
            "sh", "-c",
            "openssl x509 -in '\(cert)' -pubkey -noout | openssl pkey -pubin -outform der "
                + "| openssl dgst -sha256 -binary | base64",
        ])
        guard pin.status == 0 else { throw FixtureError("openssl pin: \(pin.output)") }
        files = TLSFiles(certificatePath: cert, privateKeyPath: key)
        self.pin = "sha256//" + pin.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
