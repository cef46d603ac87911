import Foundation

/// The strings of one language for one request.
public struct Localizer: Sendable {
    public let language: String
    public let strings: [String: String]

    public init(language: String, strings: [String: String]) {
        self.language = language
        self.strings = strings
    }

    /// The text of `key` with `{name}` replaced by `args[name]`; the key itself when missing, so
    /// a gap shows instead of hiding.
    public func t(_ key: String, _ args: [String: String] = [:]) -> String {
        var text = strings[key] ?? key
        for (name, value) in args { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The strings for a template's `{{t.key}}`, with the dots of the keys made underscores
    /// (Mustache reads a dot as a step into a nested object): `overdue.title` is `{{t.overdue_title}}`.
    public var forTemplates: [String: String] {
        Dictionary(uniqueKeysWithValues: strings.map { ($0.key.replacingOccurrences(of: ".", with: "_"), $0.value) })
    }

    /// "1 month", "3 months".
    public func months(_ n: Int) -> String { t(n == 1 ? "months.one" : "months.other", ["n": String(n)]) }
}
