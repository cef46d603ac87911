import Foundation
import Synchronization

/// `PORTICO_…` environment variables that are not settings. They are ignored with one warning
/// (naming each, with the setting it was probably meant to be), never refused: the environment
/// is shared with everything else on the host, and Kubernetes puts `PORTICO_PORT`,
/// `PORTICO_SERVICE_HOST`, `PORTICO_PORT_80_TCP…` into every pod of a namespace that has a
/// Service named `portico`. A known variable with a bad value is still refused, as are unknown
/// keys in the file and the flags, which only an operator writes.
enum StrayVariables {
    /// The one warning for these variables (sorted), or nil when there are none.
    static func warning(_ variables: [String]) -> String? {
        guard !variables.isEmpty else { return nil }
        let names = variables.sorted().map { variable -> String in
            guard !isServiceLink(variable), let key = suggestion(for: variable) else { return variable }
            return "\(variable) (did you mean \(key)?)"
        }
        var text =
            "environment: ignoring \(names.joined(separator: ", ")): not Portico settings (settings are PORTICO_ "
            + "and the key in upper snake case, like PORTICO_PORTAL_LISTEN)"
        if variables.contains(where: isServiceLink) {
            text +=
                "; PORTICO_SERVICE_… and PORTICO_PORT… are Kubernetes service links of a Service named portico "
                + "(enableServiceLinks: false in the pod spec leaves them out)"
        }
        return text
    }

    /// A variable Kubernetes sets for a Service (`<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]`,
    /// `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTOCOL>[_PROTO|_PORT|_ADDR]`) whose name starts with
    /// `portico`.
    static func isServiceLink(_ variable: String) -> Bool {
        let parts = variable.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "PORTICO" else { return false }
        for i in parts.indices.dropFirst() {
            let rest = Array(parts[i...])
            if rest == ["SERVICE", "HOST"] || (rest.count >= 2 && rest[0] == "SERVICE" && rest[1] == "PORT") {
                return true
            }
            if rest == ["PORT"] { return true }
            if rest.count >= 3, rest[0] == "PORT", Int(rest[1]) != nil, ["TCP", "UDP", "SCTP"].contains(rest[2]) {
                return rest.count == 3 || (rest.count == 4 && ["PROTO", "PORT", "ADDR"].contains(rest[3]))
            }
        }
        return false
    }

    /// The setting's variable closest to a misspelt one (at most 3 edits away).
    static func suggestion(for variable: String) -> String? {
        let scored = ConfigurationKey.all.map {
            ($0.environmentName, ConfigurationKey.editDistance($0.environmentName, variable))
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 3 else { return nil }
        return best.0
    }
}

/// Where configuration warnings go.
public enum ConfigurationWarnings {
    private static let printed = Mutex<Set<String>>([])

    /// Standard error, `warning: <text>`, each text once per process: a command reads its
    /// configuration more than once (the database path, then everything; again on SIGHUP) and
    /// the environment does not change in between.
    public static let standardErrorOnce: @Sendable (String) -> Void = { text in
        guard printed.withLock({ $0.insert(text).inserted }) else { return }
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }
}
