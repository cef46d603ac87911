import ArgumentParser
import PorticoApp

/// `portico admin create`: people who sign in to the admin web UI.
struct Admin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Admin users of the web UI.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create an admin. The password is read from --password-file, else from the first line of standard input; it is stored only as a scrypt hash."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "The name to sign in with.") var username: String
        @Option(help: "A file whose first line is the password (better than the command line, which others can see).")
        var passwordFile: String?

        func run() throws {
            print(try options.installation().createAdmin(username: username, passwordFile: passwordFile))
        }
    }
}
