import PorticoCore

/// A command's failure, printed by the command line as one line with exit status 1. The
/// message names the option, field or configuration key at fault.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Runs `body`, turning domain errors into one line naming the field.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as BillingError {
        throw CommandError(e.description)
    }
}
