import Foundation
import Logging

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

    /// The catalogues beside the templates (`<templates>/i18n`); a missing or broken one is
    /// logged, and the portal then shows the keys instead of the texts.
    public static func loadBeside(_ templates: Templates, logger: Logger) -> Catalogs {
        let directory = templates.directory + "/i18n"
        do {
            return try load(directory: directory)
        } catch {
            logger.error("portal translations could not be read", metadata: ["error": "\(error)"])
            return Catalogs(languages: [fallback: [:]])
        }
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
