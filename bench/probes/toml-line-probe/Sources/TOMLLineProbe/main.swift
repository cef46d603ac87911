import TOMLKit

// What TOMLKit 0.6.0 gives for a configuration with a bad value on line 6.
let text = """
    # Portico
    [portal]
    listen = "0.0.0.0:80"

    [admin]
    listen = "localhost"
    """
let table = try TOMLTable(string: text)
let value = table["admin"]!["listen"]!
print("value:", value.debugDescription, "type:", value.type)
print(
    "TOMLValue's stored properties:", Mirror(reflecting: value).children.map { "\($0.label!): \(type(of: $0.value))" })
print(
    "TOMLTable's stored properties:", Mirror(reflecting: table).children.map { "\($0.label!): \(type(of: $0.value))" })
print("keys in iteration order:", table["portal"]!.table!.keys, table.keys)

// A syntax error does carry a position.
do {
    _ = try TOMLTable(string: "a = 1\n[portal\n")
} catch let error as TOMLParseError {
    print("syntax error:", error.description, "at line", error.source.begin.line, "column", error.source.begin.column)
}
// A repeated key: the parser's own error, with a line.
do {
    _ = try TOMLTable(string: "isp.name = \"x\"\nisp.name = \"y\"\n")
} catch let error as TOMLParseError {
    print("repeated key:", error.description, "at line", error.source.begin.line)
}
// Order of keys as written (Portico reports the first problem in file order).
let ordered = try TOMLTable(string: "zeta = 1\nalpha = 2\nmid = 3\n")
print("order of zeta, alpha, mid as iterated:", ordered.keys)
