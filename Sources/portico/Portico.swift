import ArgumentParser

@main
struct Portico: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico", abstract: "Walled-garden captive portal and billing for ISPs.")
}
