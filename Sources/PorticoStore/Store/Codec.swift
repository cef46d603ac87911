import PorticoCore

extension LocalDate: SQLBindable {
    public var sqlValue: SQLValue { .text(description) }
}

extension Money: SQLBindable {
    public var sqlValue: SQLValue { .integer(minorUnits) }
}

extension Row {
    /// Columns written by this store are always valid; a failure here means the file was edited
    /// by hand, which the ledger check reports.
    func date(_ name: String) throws -> LocalDate { try LocalDate(string(name)) }
    func optionalDate(_ name: String) throws -> LocalDate? { try optionalString(name).map { try LocalDate($0) } }
    func money(_ name: String) -> Money { Money(int(name)) }
}

enum Codec {
    static func periods(_ list: [Int]) -> String { list.map(String.init).joined(separator: ",") }
    static func periods(_ text: String) -> [Int] { text.split(separator: ",").compactMap { Int($0) } }
    static func prices(_ map: [Int: Money]) -> String {
        map.keys.sorted().map { "\($0):\(map[$0]!.minorUnits)" }.joined(separator: ",")
    }
    static func prices(_ text: String) -> [Int: Money] {
        var out: [Int: Money] = [:]
        for pair in text.split(separator: ",") {
            let p = pair.split(separator: ":")
            if p.count == 2, let m = Int(p[0]), let v = Int64(p[1]) { out[m] = Money(v) }
        }
        return out
    }
}
