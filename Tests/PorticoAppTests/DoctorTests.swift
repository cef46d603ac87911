import Foundation
import PorticoApp
import PorticoStore
import Testing

@Suite struct DoctorTests {
    @Test func findsWhatToFix() throws {
        let dir = try TempDirectory("portico-doctor")
        let db = dir.path + "/p.db"
        _ = try Store(path: db)
        let config = try dir.file(
            "portico.toml",
            """
            database.path = "\(db)"
            templates.directory = "\(Paths.templates)"
            portal.listen = "127.0.0.1:0"
            admin.listen = "127.0.0.1:0"
            smtp.url = "smtp://127.0.0.1:1"
            smtp.from = "billing@isp.example"
            """)
        let findings = Doctor.check(ConfigurationSources(file: config, environment: [:]))
        func find(_ area: String) -> [DoctorFinding] { findings.filter { $0.area == area } }
        #expect(find("configuration").first?.status == .ok)
        #expect(
            find("migrations").first?.detail == "schema version \(Schema.migrations.map(\.version).max()!) (current)")
        #expect(find("database").first?.status == .ok)
        #expect(find("templates").first?.status == .ok)
        #expect(find("listeners").allSatisfy { $0.status == .ok })
        let smtp = try #require(find("smtp").first)
        #expect(smtp.status == .failure && smtp.detail.contains("cannot connect") && !smtp.fix.isEmpty)
        #expect(find("gateway").first?.status == .warning)
    }

    @Test func aBadConfigurationIsReportedAndTheRestStillChecked() throws {
        let dir = try TempDirectory("portico-doctor")
        let config = try dir.file("portico.toml", "database.path = \"\(dir.path)/none/p.db\"\nportal.listen = \"x\"\n")
        let findings = Doctor.check(ConfigurationSources(file: config, environment: [:]))
        #expect(findings.first?.status == .failure)
        #expect(
            findings.first?.detail.hasSuffix(
                "portico.toml:2: portal.listen: 'x' is not HOST:PORT (IPv6 in brackets: [::]:80)") == true)
    }
}
