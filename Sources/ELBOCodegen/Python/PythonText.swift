/// Pieces of Python source: literals, strings, comments and long assignments wrapped the way
/// a person would wrap them.
enum PythonText {
    /// The widest line the exporter writes where it can break.
    static let width = 100

    /// `2`, `0.5`, `-0.9189385332046727` (the shortest form that reads back exactly).
    static func literal(_ c: Double) -> String {
        if c.isNaN { return "float(\"nan\")" }
        if c.isInfinite { return c > 0 ? "float(\"inf\")" : "-float(\"inf\")" }
        if c == c.rounded(), Swift.abs(c) < 1e15 { return "\(Int(c))" }
        return "\(c)"
    }

    /// A Python string literal.
    static func string(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `("k", "m")`, with the trailing comma a one-element tuple needs.
    static func tuple(_ items: [String]) -> String {
        switch items.count {
        case 0: return "()"
        case 1: return "(\(items[0]),)"
        default: return "(" + items.joined(separator: ", ") + ")"
        }
    }

    /// `# …` lines, wrapped at `width` columns (before the caller's indentation).
    static func comment(_ s: String, width: Int = 92) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while rest.count > width {
            let cut = rest.prefix(width).lastIndex(of: " ") ?? rest.index(rest.startIndex, offsetBy: width)
            out.append("# " + rest[..<cut])
            rest = rest[cut...].drop { $0 == " " }
        }
        out.append("# " + rest)
        return out
    }

    /// `name = expression`; a long expression is broken before its top-level `+` and `-`
    /// inside parentheses, one term to a line.
    static func assignment(_ name: String, _ expression: String, width: Int = 92) -> [String] {
        let single = "\(name) = \(expression)"
        guard single.count > width else { return [single] }
        let terms = topLevelTerms(expression)
        guard terms.count > 1 else { return [single] }
        return ["\(name) = ("] + terms.map { "    " + $0 } + [")"]
    }

    /// `a + b - c * d` → [`a`, `+ b`, `- c * d`]: split before binary `+`/`-` outside brackets.
    static func topLevelTerms(_ e: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        let chars = Array(e)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if "([{".contains(ch) { depth += 1 }
            if ")]}".contains(ch) { depth -= 1 }
            if depth == 0, ch == " ", i + 2 < chars.count, chars[i + 1] == "+" || chars[i + 1] == "-", chars[i + 2] == " " {
                terms.append(current)
                current = String(chars[i + 1])
                i += 2
                current += " "
                i += 1
                continue
            }
            current.append(ch)
            i += 1
        }
        terms.append(current)
        return terms
    }
}

/// Unique Python identifiers for one exported module.
struct PythonNameTable {
    private var used: Set<String>

    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
        "float", "int", "len", "sum", "max", "min", "abs",
    ]

    init(reserved: [String] = []) { used = Set(reserved).union(PythonNameTable.keywords) }

    /// `base` made a valid identifier and distinct from every name handed out so far:
    /// `term`, `term_2`, ….
    mutating func unique(_ base: String) -> String {
        var s = String(base.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" ? $0 : "_" })
        if s.isEmpty || s.first!.isNumber { s = "_" + s }
        var candidate = s
        var n = 2
        while used.contains(candidate) { candidate = "\(s)_\(n)"; n += 1 }
        used.insert(candidate)
        return candidate
    }
}
