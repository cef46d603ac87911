import Foundation
import PorticoCurl
import PorticoHTTP
import PorticoTestSupport
import Testing

/// HTTPS against PorticoHTTP's server with a self-signed certificate for 127.0.0.1: verification
/// on by default, a CA file, a pinned public key.
@Suite(.enabled(if: toolAvailable("openssl"), "needs openssl to make a certificate"))
struct HTTPClientTLSTests {
    let dir: TestDirectory
    let certificate: TestCertificate
    let server: HTTPServer

    init() throws {
        dir = try TestDirectory("portico-curl-tls")
        certificate = try TestCertificate(in: dir)
        server = try startHTTPServer(tls: certificate.files) { _ in .text("secure\n") }
    }

    var url: String { "https://127.0.0.1:\(server.port)/" }

    func get(_ tls: CurlTLS) throws(CurlError) -> HTTPClient.Response {
        try HTTPClient().send(.init(url: url, tls: tls))
    }

    @Test func anUnknownCertificateIsRefusedByDefault() throws {
        defer { server.stop() }
        let error = try #require(throws: CurlError.self) { try get(CurlTLS()) }
        #expect(error.tlsFailure && !error.pinMismatch)
    }

    @Test func theCAFileMakesItTrusted() throws {
        defer { server.stop() }
        let response = try get(CurlTLS(caFile: certificate.files.certificatePath))
        #expect(response.status == 200 && String(decoding: response.body, as: UTF8.self) == "secure\n")
    }

    @Test func aPinnedKeyMustMatch() throws {
        defer { server.stop() }
        let ca = certificate.files.certificatePath
        #expect(try get(CurlTLS(caFile: ca, pinnedPublicKey: certificate.pin)).status == 200)
        // Pinned with verification off: the key alone decides (a router's self-signed certificate).
        #expect(try get(CurlTLS(pinnedPublicKey: certificate.pin, verify: false)).status == 200)
        let other = "sha256//" + Data(repeating: 7, count: 32).base64EncodedString()
        let error = try #require(throws: CurlError.self) {
            try get(CurlTLS(caFile: ca, pinnedPublicKey: other))
        }
        #expect(error.pinMismatch && error.tlsFailure)
        let unverified = try #require(throws: CurlError.self) {
            try get(CurlTLS(pinnedPublicKey: other, verify: false))
        }
        #expect(unverified.pinMismatch)
    }

    @Test func verificationOffAcceptsAnyCertificate() throws {
        defer { server.stop() }
        #expect(try get(CurlTLS(verify: false)).status == 200)
    }
}

/// True when `command` is an executable on PATH.
func toolAvailable(_ command: String) -> Bool {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
}
