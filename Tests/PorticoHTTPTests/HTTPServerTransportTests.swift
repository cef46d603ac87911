import Foundation
import PorticoHTTP
import PorticoTestSupport
import Testing

/// Live tests of HTTPS and IPv6 listeners.
@Suite struct HTTPServerTransportTests {
    @Test(.enabled(if: toolAvailable("openssl") && toolAvailable("curl"), "needs the openssl and curl programs"))
    func tlsServesHTTPSWithASelfSignedCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let generated = try run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=portal.test",
            ])
        #expect(generated.status == 0)

        let server = try startServer {
            $0.tls = TLSFiles(certificatePath: certificate, privateKeyPath: key)
        }
        defer { server.stop() }
        let fetched = try run(
            "/usr/bin/env",
            [
                "curl", "-sk", "--max-time", "5", "--resolve", "portal.test:\(server.port):127.0.0.1",
                "https://portal.test:\(server.port)/secure%20page?x=1",
            ])
        #expect(fetched.status == 0)
        #expect(fetched.output.contains("path=/secure page\n"))
        #expect(fetched.output.contains("query.x=1\n"))

        // Plain HTTP on the TLS port never reaches the handler.
        let plain = try TestConnection(port: server.port, timeoutSeconds: 3)
        #expect(throws: (any Error).self) { try plain.request("GET", "/") }
    }

    @Test func missingTLSFileIsNamedInTheError() throws {
        var configuration = HTTPServerConfiguration()
        configuration.tls = TLSFiles(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
        let server = HTTPServer(configuration: configuration) { _ in .text("") }
        #expect(throws: HTTPServerError.tlsFileUnreadable(path: "/nonexistent/cert.pem", errno: ENOENT)) {
            try server.start()
        }
    }

    @Test(.enabled(if: ipv6LoopbackAvailable(), "this machine has no IPv6 loopback (::1)"))
    func ipv6LoopbackIsServed() throws {
        let server = try startServer { $0.host = "::1" }
        defer { server.stop() }
        let response = try TestConnection(host: "::1", port: server.port).request("GET", "/v6")
        #expect(response.status == 200)
        #expect(response.text.contains("remote=::1\n"))
    }

    @Test(.enabled(if: ipv6LoopbackAvailable(), "this machine has no IPv6 loopback (::1)"))
    func dualStackReportsIPv4ClientsAsPlainIPv4() throws {
        let server = try startServer { $0.host = "::" }
        defer { server.stop() }
        let v4 = try TestConnection(host: "127.0.0.1", port: server.port, source: "127.0.0.77").request("GET", "/")
        #expect(v4.text.contains("remote=127.0.0.77\n"))
        let v6 = try TestConnection(host: "::1", port: server.port).request("GET", "/")
        #expect(v6.text.contains("remote=::1\n"))
    }
}
