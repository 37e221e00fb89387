/// Indented lines of Swift source.
struct CodeWriter {
    private(set) var lines: [String] = []
    var indent = 0

    mutating func line(_ s: String = "") {
        lines.append(s.isEmpty ? "" : String(repeating: "    ", count: indent) + s)
    }

    /// A `// …` comment, wrapped at 100 columns.
    mutating func comment(_ s: String) {
        let width = max(40, 100 - 4 * indent - 3)
        var rest = Substring(s)
        while rest.count > width {
            let cut = rest.prefix(width).lastIndex(of: " ") ?? rest.index(rest.startIndex, offsetBy: width)
            line("// " + rest[..<cut])
            rest = rest[cut...].drop { $0 == " " }
        }
        line("// " + rest)
    }

    mutating func block(_ header: String, _ body: (inout CodeWriter) -> Void) {
        line(header + " {")
        indent += 1
        body(&self)
        indent -= 1
        line("}")
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}

/// Unique Swift identifiers for a generated function.
struct NameTable {
    private var used: Set<String>

    static let keywords: Set<String> = [
        "as", "break", "case", "catch", "class", "continue", "default", "defer", "do", "else", "enum",
        "extension", "fallthrough", "false", "for", "func", "guard", "if", "import", "in", "init", "inout",
        "internal", "is", "let", "nil", "operator", "private", "protocol", "public", "repeat", "return",
        "self", "Self", "static", "struct", "subscript", "super", "switch", "throw", "throws", "true", "try",
        "var", "where", "while", "Any", "Type", "some", "any",
    ]

    init(reserved: [String] = []) { used = Set(reserved).union(NameTable.keywords) }

    /// A table holding exactly the names of an earlier `snapshot`.
    init(restoring names: Set<String>) { used = names }

    /// `base` made a valid identifier and distinct from every name handed out so far.
    mutating func unique(_ base: String) -> String {
        var s = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if s.isEmpty || s.first!.isNumber { s = "_" + s }
        var candidate = s
        var n = 2
        while used.contains(candidate) { candidate = "\(s)\(n)"; n += 1 }
        used.insert(candidate)
        return candidate
    }

    func isUsed(_ s: String) -> Bool { used.contains(s) }

    /// The names handed out so far, to restore when a scope closes.
    var snapshot: Set<String> { used }
}

extension String {
    /// `logits` → `Logits`, for names such as `dLogits`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A Swift literal for a constant, readable: `2`, `0.5`, `3.141592653589793`.
func swiftLiteral(_ c: Double, scalar: String) -> String {
    if c.isNaN { return "\(scalar).nan" }
    if c.isInfinite { return c > 0 ? "\(scalar).infinity" : "-\(scalar).infinity" }
    if c == c.rounded(), abs(c) < 1e15 { return "\(Int(c))" }
    return "\(c)"
}
