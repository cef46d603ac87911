import ArgumentParser
import PorticoAPI
import PorticoStore
import PorticoWebSupport

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
            let store = try options.openStore()
            let today = try options.clock(store).today()
            let token = try reporting { try AdminAPI.createToken(name: name, store: store, on: today) }
            print(token)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token with this name.")
        @OptionGroup var options: CommonOptions
        @Option(help: "The name the token was created with.") var name: String

        func run() throws {
            let count = try reporting { try options.openStore().revokeAPITokens(named: name) }
            guard count > 0 else { throw CLIError("name: no live token is named '\(name)'") }
            print("revoked \(count) token\(count == 1 ? "" : "s") named '\(name)'")
        }
    }
}
