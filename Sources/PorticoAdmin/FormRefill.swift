import Foundation
import PorticoWebSupport

/// Puts a refused form's submitted values back into the page that holds the form, so an admin
/// who mistyped one field fixes that field instead of typing the whole form again.
///
/// It works on the admin templates' own HTML (attributes always double-quoted, values escaped by
/// the template engine): in every `<form>` whose `action` is `action`, each `<input>` that is not
/// hidden, a password or a button gets `value` (a checkbox or radio: `checked` when its value was
/// sent), each `<textarea>` its text, each `<select>` the `selected` option. Fields the form did
/// not send keep what the page rendered; hidden fields (the CSRF token, ids) are never touched.
enum FormRefill {
    static func apply(_ html: String, action: String, values: [String: String]) -> String {
        var bytes = Array(html.utf8)
        var searchFrom = 0
        let marker = Array("action=\"\(escape(action))\"".utf8)
        while let open = bytes[searchFrom...].firstRange(of: Array("<form".utf8))?.lowerBound {
            guard let tagEnd = bytes[open...].firstIndex(of: UInt8(ascii: ">")) else { break }
            let close = bytes[tagEnd...].firstRange(of: Array("</form>".utf8))?.lowerBound ?? bytes.count
            searchFrom = close
            guard bytes[open...tagEnd].firstRange(of: marker) != nil else { continue }
            let filled = fill(Array(bytes[(tagEnd + 1)..<close]), values)
            bytes.replaceSubrange((tagEnd + 1)..<close, with: filled)
            searchFrom = tagEnd + 1 + filled.count
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inside of one form, its fields refilled.
    private static func fill(_ form: [UInt8], _ values: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(form.count)
        var i = 0
        var select: String?  // the submitted value of the <select> being copied
        while i < form.count {
            guard form[i] == UInt8(ascii: "<"), let end = form[i...].firstIndex(of: UInt8(ascii: ">")) else {
                out.append(form[i])
                i += 1
                continue
            }
            let tag = Tag(Array(form[i...end]))
            switch tag.name {
            case "input":
                out += refilledInput(tag, values)
                i = end + 1
            case "textarea":
                let closing = form[(end + 1)...].firstRange(of: Array("</textarea>".utf8))?.lowerBound ?? form.count
                out += form[i...end]
                if let name = tag["name"], let value = values[name] {
                    out += Array(escape(value).utf8)
                } else {
                    out += form[(end + 1)..<closing]
                }
                i = closing
            case "select":
                select = tag["name"].flatMap { values[$0] }
                out += form[i...end]
                i = end + 1
            case "/select":
                select = nil
                out += form[i...end]
                i = end + 1
            case "option" where select != nil:
                out += tag.with("selected", present: (tag["value"] ?? "") == select)
                i = end + 1
            default:
                out += form[i...end]
                i = end + 1
            }
        }
        return out
    }

    private static func refilledInput(_ tag: Tag, _ values: [String: String]) -> [UInt8] {
        guard let name = tag["name"] else { return tag.bytes }
        let type = (tag["type"] ?? "text").lowercased()
        switch type {
        case "hidden", "password", "submit", "button", "reset", "image", "file":
            return tag.bytes
        case "checkbox", "radio":
            // A form without the box was sent with it unticked.
            return tag.with("checked", present: values[name] == (tag["value"] ?? "on"))
        default:
            guard let value = values[name] else { return tag.bytes }
            return tag.setting("value", to: value)
        }
    }

    /// One start tag as the templates write it: `<name attr="value" flag …>` or `… />`.
    private struct Tag {
        let bytes: [UInt8]
        let name: String
        /// Each attribute's name (lowercased), value (unescaped) and byte range in `bytes`.
        let attributes: [(name: String, value: String?, range: Range<Int>)]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var i = 1
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
            let nameStart = i
            while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">"),
                bytes[i] != UInt8(ascii: "/") || i == 1
            {
                i += 1
            }
            name = String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased()
            var attributes: [(String, String?, Range<Int>)] = []
            while i < bytes.count {
                while i < bytes.count, isSpace(bytes[i]) { i += 1 }
                guard i < bytes.count, bytes[i] != UInt8(ascii: ">"), bytes[i] != UInt8(ascii: "/") else { break }
                let start = i
                while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ">")
                {
                    i += 1
                }
                let attribute = String(decoding: bytes[start..<i], as: UTF8.self).lowercased()
                var value: String?
                if i < bytes.count, bytes[i] == UInt8(ascii: "="), i + 1 < bytes.count,
                    bytes[i + 1] == UInt8(ascii: "\"")
                {
                    let valueStart = i + 2
                    let valueEnd = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) ?? bytes.count - 1
                    value = FormRefill.unescape(String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self))
                    i = valueEnd + 1
                }
                attributes.append((attribute, value, start..<i))
            }
            self.attributes = attributes
        }

        subscript(_ attribute: String) -> String? {
            attributes.first { $0.name == attribute }?.value
        }

        /// The tag with `attribute="value"`, replaced or added before the closing `>`.
        func setting(_ attribute: String, to value: String) -> [UInt8] {
            let text = Array("\(attribute)=\"\(FormRefill.escape(value))\"".utf8)
            var out = bytes
            if let existing = attributes.first(where: { $0.name == attribute }) {
                out.replaceSubrange(existing.range, with: text)
            } else {
                out.insert(contentsOf: [0x20] + text, at: insertionPoint)
            }
            return out
        }

        /// The tag with the flag attribute `attribute` present or absent.
        func with(_ attribute: String, present: Bool) -> [UInt8] {
            var out = bytes
            if let existing = attributes.first(where: { $0.name == attribute }) {
                guard !present else { return out }
                var lower = existing.range.lowerBound
                if lower > 0, out[lower - 1] == 0x20 { lower -= 1 }
                out.removeSubrange(lower..<existing.range.upperBound)
            } else if present {
                out.insert(contentsOf: Array(" \(attribute)".utf8), at: insertionPoint)
            }
            return out
        }

        /// Before `>` (or `/>`).
        private var insertionPoint: Int {
            var end = bytes.count - 1
            if end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
            while end > 0, bytes[end - 1] == 0x20 { end -= 1 }
            return end
        }
    }

    /// What the template engine escapes, escaped the same way.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
