import Foundation
import PorticoTestSupport
import Testing

/// The built `portico` in a Kubernetes pod's environment (a Service named `portico` in the
/// namespace) and a test harness's stray variable: every command works and says once what it
/// ignored; a known variable with a bad value still stops it, naming the variable.
@Suite struct StrayEnvironmentTests {
    static let environment: [String: String] = [
        "PORTICO_SERVICE_HOST": "10.96.0.12", "PORTICO_SERVICE_PORT": "80", "PORTICO_PORT": "tcp://10.96.0.12:80",
        "PORTICO_PORT_80_TCP": "tcp://10.96.0.12:80", "PORTICO_PORT_80_TCP_PROTO": "tcp",
        "PORTICO_PORT_80_TCP_PORT": "80", "PORTICO_PORT_80_TCP_ADDR": "10.96.0.12", "PORTICO_CHECKOUT": "1",
    ]

    /// How many lines of `text` are the warning.
    func warnings(_ text: String) -> Int {
        text.split(separator: "\n").filter { $0.hasPrefix("warning: environment: ignoring PORTICO_CHECKOUT") }.count
    }

    @Test(.timeLimit(.minutes(1))) func serveStartsServesReloadsAndWarnsOnce() throws {
        let dir = try TempDirectory("portico-stray")
        let portico = try PorticoProcess(
            [
                "serve", "--database", dir.path + "/p.db", "--portal-listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0",
            ], in: dir, environment: Self.environment)
        let ports = try portico.waitForBanner()
        let captive = try TestConnection(port: ports.portal, source: "127.0.0.1").request(
            "GET", "/api/captive", host: "127.0.0.1")
        #expect(captive.status == 200)
        portico.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while !portico.stderr.contains("msg=reloaded") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(portico.stderr.contains("msg=reloaded"))
        portico.signal(SIGTERM)
        #expect(portico.waitForExit() == 0)
        #expect(warnings(portico.stderr) == 1, "\(portico.stderr)")
        #expect(portico.stderr.contains("PORTICO_PORT_80_TCP_ADDR"))
        #expect(portico.stderr.contains("Kubernetes service links"))
    }

    @Test func apiTokenCreatePrintsTheTokenAndWarnsOnce() throws {
        let dir = try TempDirectory("portico-stray")
        let portico = try PorticoProcess(
            ["api-token", "create", "--name", "ci", "--database", dir.path + "/p.db"], in: dir,
            environment: Self.environment)
        #expect(portico.waitForExit() == 0)
        let token = portico.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count >= 32 && !token.contains(" "), "\(portico.stdout)")
        #expect(warnings(portico.stderr) == 1, "\(portico.stderr)")
    }

    @Test func doctorListsTheIgnoredVariablesOnce() throws {
        let dir = try TempDirectory("portico-stray")
        let portico = try PorticoProcess(
            [
                "doctor", "--database", dir.path + "/p.db", "--portal-listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0",
            ], in: dir, environment: Self.environment)
        _ = portico.waitForExit()
        let lines = portico.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("ok    configuration") }, "\(portico.stdout)")
        let stray = lines.filter { $0.hasPrefix("warn  environment") }
        #expect(stray.count == 1 && stray[0].contains("PORTICO_PORT_80_TCP"), "\(portico.stdout)")
        #expect(!portico.stderr.contains("warning:"), "\(portico.stderr)")
    }

    @Test func aKnownVariableWithABadValueStopsTheCommandNamingIt() throws {
        let dir = try TempDirectory("portico-stray")
        var environment = Self.environment
        environment["PORTICO_ADMIN_LISTEN"] = "tcp://10.96.0.12:8081"
        for arguments in [
            ["api-token", "create", "--name", "ci"], ["serve", "--portal-listen", "127.0.0.1:0"],
        ] {
            let portico = try PorticoProcess(
                arguments + ["--database", dir.path + "/p.db"], in: dir, name: arguments[0], environment: environment)
            #expect(portico.waitForExit() == 1)
            #expect(
                portico.stderr.contains(
                    "environment PORTICO_ADMIN_LISTEN: admin.listen: 'tcp://10.96.0.12:8081' is not HOST:PORT"),
                "\(portico.stderr)")
            #expect(portico.stdout.isEmpty)
            #expect(warnings(portico.stderr) == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/p.db"))
    }
}
