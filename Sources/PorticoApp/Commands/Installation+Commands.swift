import Foundation
import PorticoAPI
import PorticoAdmin
import PorticoCore
import PorticoStore

// `migrate`, `billing run`, `ledger check`, `admin create`, `api-token create|revoke`.
extension Installation {
    /// `portico migrate`: creates or upgrades the schema.
    public func migrate() throws -> String {
        let store = try openStore()
        return "database \(store.path) is at schema version \(Schema.migrations.last!.version)"
    }

    /// Why `text` is no date for `billing run --date` (nil when it is one).
    public static func dateProblem(_ text: String) -> String? {
        do {
            _ = try LocalDate(text)
            return nil
        } catch {
            return "date: \(error)"
        }
    }

    /// `portico billing run [--date]`: the daily run for every date up to `date` (default
    /// today), at most `DateLimits.maxDaysAhead` days after today as in the API and the admin
    /// UI; a refusal runs nothing.
    public func runBilling(through date: String?) throws -> [String] {
        let store = try openStore()
        let today = try today(store)
        let through = try reporting {
            try date.map { try DateLimits.effectiveDate(LocalDate($0), field: "--date", today: today) } ?? today
        }
        let report = try reporting { try store.runBilling(through: through) }
        var lines: [String] = []
        if let first = report.dates.first, let last = report.dates.last {
            lines.append(
                "ran \(first) … \(last): \(report.dates.count) dates, \(report.clientsStepped) client steps, \(report.documentsIssued) documents"
            )
        } else {
            lines.append("nothing to run: billing is up to date through \(through)")
        }
        if !report.delta.isEmpty {
            lines.append(
                "walled garden: +\(report.delta.suspend.count) suspended, -\(report.delta.release.count) released")
        }
        return lines
    }

    /// `portico ledger check`: every problem found (none: the ledger is consistent).
    public func checkLedger() throws -> [String] {
        try openStore().ledgerCheck().map(\.description)
    }

    /// The days `billing run --date` may be ahead of today (for its help).
    public static var maxDaysAhead: Int { DateLimits.maxDaysAhead }

    /// `portico admin create`: an admin of the web UI. The password is the first line of
    /// `passwordFile`, else of standard input; the database keeps only its scrypt hash.
    public func createAdmin(username: String, passwordFile: String?) throws -> String {
        let password = try Self.readPassword(file: passwordFile)
        guard password.count >= PasswordHasher.minimumLength else {
            throw CommandError("password: must be at least \(PasswordHasher.minimumLength) characters")
        }
        let store = try openStore()
        let today = try today(store)
        let hash = try PasswordHasher().hash(password)
        let user = try reporting { try store.createAdminUser(username: username, passwordHash: hash, on: today) }
        return "admin '\(user.username)' created; sign in on the admin listener (e.g. http://127.0.0.1:8081/)"
    }

    static func readPassword(file: String?) throws -> String {
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandError("password-file: cannot read \(file)")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandError("password: none on standard input (or give --password-file)")
            }
            text = line
        }
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }

    /// `portico api-token create`: a new bearer token for the admin API, the one time it is seen.
    public func createAPIToken(name: String) throws -> String {
        let store = try openStore()
        let today = try today(store)
        return try reporting { try AdminAPI.createToken(name: name, store: store, on: today) }
    }

    /// `portico api-token revoke`: revokes every live token named `name`.
    public func revokeAPITokens(named name: String) throws -> String {
        let count = try reporting { try openStore().revokeAPITokens(named: name) }
        guard count > 0 else { throw CommandError("name: no live token is named '\(name)'") }
        return "revoked \(count) token\(count == 1 ? "" : "s") named '\(name)'"
    }
}
