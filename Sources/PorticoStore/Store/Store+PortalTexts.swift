import PorticoCore

// The portal's texts as the admins edited them, over the shipped catalogues.
extension Store {
    /// Admin-edited portal texts: language → key → text.
    public func portalTexts() throws -> [String: [String: String]] {
        try read { db, _ in
            var out: [String: [String: String]] = [:]
            try db.query("SELECT key, language, value FROM portal_texts") {
                out[$0.string(1), default: [:]][$0.string(0)] = $0.string(2)
            }
            return out
        }
    }

    /// Sets portal texts; an empty (or blank) text removes the override, so the catalogue's applies.
    public func setPortalTexts(
        _ texts: [(key: String, language: String, value: String)], on date: LocalDate,
        by actor: String
    ) throws {
        try write { db, _ in
            var changed: [String] = []
            for t in texts {
                let old = try db.queryOne(
                    "SELECT value FROM portal_texts WHERE key = ? AND language = ?",
                    [t.key, t.language]
                ) { $0.string(0) }
                let value = t.value.trimmingCharacters(in: " \t\r\n")
                if value.isEmpty {
                    guard old != nil else { continue }
                    try db.run("DELETE FROM portal_texts WHERE key = ? AND language = ?", [t.key, t.language])
                } else {
                    guard old != value else { continue }
                    try db.run(
                        "INSERT INTO portal_texts(key, language, value) VALUES (?, ?, ?) ON CONFLICT(key, language) DO UPDATE SET value = excluded.value",
                        [t.key, t.language, value])
                }
                changed.append("\(t.language):\(t.key)")
            }
            if !changed.isEmpty {
                try Self.audit(
                    db, on: date, clientId: nil, serviceId: nil, event: "portal texts changed",
                    reason: "by \(actor): " + changed.joined(separator: ", "))
            }
        }
    }
}
