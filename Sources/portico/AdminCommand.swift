import ArgumentParser
import Foundation
import PorticoAdmin
import PorticoStore
import PorticoWebSupport

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
            let password = try readPassword()
            guard password.count >= PasswordHasher.minimumLength else {
                throw CLIError("password: must be at least \(PasswordHasher.minimumLength) characters")
            }
            let store = try options.openStore()
            let today = try options.clock(store).today()
            let hash = try PasswordHasher().hash(password)
            let user = try reporting { try store.createAdminUser(username: username, passwordHash: hash, on: today) }
            print("admin '\(user.username)' created; sign in on the admin listener (e.g. http://127.0.0.1:8081/)")
        }

        func readPassword() throws -> String {
            let text: String
            if let passwordFile {
                guard let data = FileManager.default.contents(atPath: passwordFile) else {
                    throw CLIError("password-file: cannot read \(passwordFile)")
                }
                text = String(decoding: data, as: UTF8.self)
            } else {
                guard let line = readLine(strippingNewline: true) else {
                    throw CLIError("password: none on standard input (or give --password-file)")
                }
                text = line
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
    }
}
