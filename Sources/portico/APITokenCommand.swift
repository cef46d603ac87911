import ArgumentParser
import PorticoApp

/// `portico api-token create|revoke`: bearer tokens for the admin API.
struct APIToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-token", abstract: "Bearer tokens for the admin JSON API.",
        subcommands: [Create.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (only the token, on stdout). The database keeps only its hash.")
        @OptionGroup var options: CommonOptions
        @Option(help: "A name to recognise the token by in logs and to revoke it.") var name = "api"

        func run() throws {
            print(try options.installation().createAPIToken(name: name))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token with this name.")
        @OptionGroup var options: CommonOptions
        @Option(help: "The name the token was created with.") var name: String

        func run() throws {
            print(try options.installation().revokeAPITokens(named: name))
        }
    }
}
