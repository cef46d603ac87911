import Foundation
import PorticoHTTP
import PorticoTestSupport
import Testing

/// The portal with a certificate (issue 12 item 10): plain HTTP stays for redirects, probes and
/// the page; an HTTPS listener beside it serves the same portal, and RFC 8908 and Stripe's
/// return URLs point at it.
@Suite(.serialized) struct PortalTLSTests {
    typealias F = StripeFixture

    /// A self-signed certificate for portal.test in a fresh directory.
    static func certificate() throws -> (files: TLSFiles, directory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-tls-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = TLSFiles(certificatePath: directory + "/cert.pem", privateKeyPath: directory + "/key.pem")
        let generated = try ChildProcess.run([
            "/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", files.privateKeyPath, "-out", files.certificatePath, "-days", "1", "-subj",
            "/CN=portal.test",
        ])
        guard generated.status == 0 else { throw TLSTestError.openssl }
        return (files, directory)
    }

    enum TLSTestError: Error { case openssl, noFreePort }

    /// A port nothing listens on now (bound and released), for a URL that must name it.
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        try withAddress("127.0.0.1", port: 0) { address, length in
            guard bind(descriptor, address, length) == 0 else { throw TLSTestError.noFreePort }
        }
        var storage = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: storage.sin_port)
    }

    /// `curl -k` over HTTPS from `source` to portal.test on `port`.
    static func https(_ port: UInt16, _ path: String, from source: String) throws -> String {
        try ChildProcess.run([
            "/usr/bin/env", "curl", "-sk", "--max-time", "5", "--interface", source, "--resolve",
            "portal.test:\(port):127.0.0.1", "https://portal.test:\(port)\(path)",
        ]).output
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func plainHTTPRedirectsWhileHTTPSServesThePortalAndRFC8908PointsAtIt() throws {
        let (files, directory) = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let f = try StripeFixture(tls: files, tlsPort: port)
        #expect(f.server.portalTLSPort == port)
        #expect(f.server.listenerURLs.hasSuffix("  portal https://127.0.0.1:\(port)/"))

        // A stopped client's DNAT-ed port-80 request: the plain listener answers with the 302.
        let redirect = try TestConnection(port: f.server.portalPort, source: F.sam).request(
            "GET", "/", host: "news.example")
        #expect(redirect.status == 302)
        #expect(redirect.header("Location") == "http://portal.test/")
        // The plain listener still serves the page and the API.
        #expect(try f.get(F.sam, "/").text.contains("60.00"))

        // The HTTPS listener serves the same portal.
        let captive = try Self.https(port, "/api/captive", from: F.sam)
        #expect(captive.contains("\"captive\":true"))
        #expect(captive.contains("\"user-portal-url\":\"https://portal.test:\(port)/\""))
        #expect(try Self.https(port, "/", from: F.sam).contains("60.00"))
        // Plain HTTP on the TLS port is not served.
        #expect((try? TestConnection(port: port, timeoutSeconds: 3).request("GET", "/")) == nil)

        // Stripe sends the browser back to the HTTPS portal.
        let start = try f.startPayment()
        #expect(start.status == 303)
        let create = try #require(f.fake.creates.last)
        #expect(create.form["success_url"]?.hasPrefix("https://portal.test:\(port)/checkout/chk_") == true)
        #expect(create.form["cancel_url"] == "https://portal.test:\(port)/")
    }
}
