import Foundation

/// The portal's strings in every shipped language, read from `templates/i18n/<code>.json`
/// (one flat object of key → text; `{name}` marks a value filled in by the code). English is
/// the fallback for a key a language lacks. Adding a language is adding a file.
public struct Catalogs: Sendable {
    /// Language code → key → text.
    public let languages: [String: [String: String]]
    public static let fallback = "en"

    /// Keys of the portal that admins may override per language (the suspension page's texts
    /// and the contact details).
    public static let editableKeys = ["page.notice", "reason.nonPayment", "reason.admin", "reason.ended", "contact"]

    public init(languages: [String: [String: String]]) {
        self.languages = languages
    }

    /// Reads every `*.json` in `directory`; English must be there.
    public static func load(directory: String) throws -> Catalogs {
        var languages: [String: [String: String]] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        for file in files {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path),
                let object = try JSONSerialization.jsonObject(with: data) as? [String: String]
            else { throw TemplateError.invalid(file: path, reason: "not a JSON object of strings") }
            languages[String(file.dropLast(".json".count)).lowercased()] = object
        }
        guard languages[fallback] != nil else { throw TemplateError.missing(directory + "/\(fallback).json") }
        return Catalogs(languages: languages)
    }

    /// Shipped language codes, English first.
    public var codes: [String] { [Self.fallback] + languages.keys.filter { $0 != Self.fallback }.sorted() }

    /// The best language for an `Accept-Language` header (RFC 9110 §12.5.4): the highest
    /// weighted range we ship, matching on the primary subtag (`es-CO` → `es`); English when
    /// none matches.
    public func language(for header: String?) -> String {
        guard let header else { return Self.fallback }
        var best: (q: Double, index: Int, code: String)?
        for (index, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let range = parts.first?.lowercased(), !range.isEmpty else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.lowercased().hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            guard q > 0 else { continue }
            let primary = String(range.split(separator: "-").first ?? "")
            let code = range == "*" ? Self.fallback : primary
            guard languages[code] != nil else { continue }
            if best == nil || q > best!.q { best = (q, index, code) }
        }
        return best?.code ?? Self.fallback
    }

    /// The strings of `language`, over English, with the admins' overrides on top.
    public func strings(_ language: String, overrides: [String: [String: String]] = [:]) -> [String: String] {
        var out = languages[Self.fallback] ?? [:]
        if language != Self.fallback { out.merge(languages[language] ?? [:]) { _, new in new } }
        out.merge(overrides[language] ?? [:]) { _, new in new }
        return out
    }
}

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
