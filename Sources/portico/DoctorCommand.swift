import ArgumentParser
import PorticoApp

/// `portico doctor`: what is wrong with this installation and what to do about it.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check configuration, database and migrations, templates, privileges, nftables, listeners, SMTP and the gateway; print what to fix (exit 1 on any FAIL)."
    )
    @OptionGroup var options: CommonOptions
    @OptionGroup var server: ServerOptions

    func run() throws {
        let findings = PorticoApp.Doctor.check(try options.sources(server))
        for f in findings { print(f.line) }
        let failures = findings.filter { $0.status == .failure }.count
        let warnings = findings.filter { $0.status == .warning }.count
        print(
            failures == 0
                ? "\nno problems that stop Portico (\(warnings) warning\(warnings == 1 ? "" : "s"))"
                : "\n\(failures) problem\(failures == 1 ? "" : "s") to fix")
        if failures > 0 { throw ExitCode(1) }
    }
}
