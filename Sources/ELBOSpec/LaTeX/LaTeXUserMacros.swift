/// The macros a paper defines for itself (`\newcommand{\bx}{\mathbf{x}}`,
/// `\newcommand{\KL}[2]{D_{\mathrm{KL}}(#1 \,\|\, #2)}`, `\DeclareMathOperator{\Tr}{Tr}`,
/// `\def\E{\mathbb{E}}`), read from anywhere in the text, and their expansion in a display
/// before translation. Expanded tokens carry the position of the use, so a diagnostic about
/// them points at the macro the author wrote.
struct LaTeXUserMacros {
    struct Definition {
        var parameters: Int
        /// The default of an optional first argument (`\newcommand{\f}[2][x]{…}`).
        var optionalDefault: [TeXToken]?
        var body: [TeXToken]
    }

    private(set) var definitions: [String: Definition] = [:]

    static let definingCommands: Set<String> = ["newcommand", "newcommand*", "renewcommand", "renewcommand*",
                                                "providecommand", "providecommand*"]
    /// Deeper than this, an expansion is taken to be a macro that uses itself.
    static let maximumDepth = 32
    /// At most this many tokens come out of one display's expansions (macros that double one
    /// another would otherwise grow without bound well inside the depth limit).
    static let maximumTokens = 100_000

    /// The definitions in `range` of the text.
    init(_ text: SourceText, range: Range<Int>, positions: [(line: Int, column: Int)]) {
        let toks = TeXLexer.tokenize(text, range: range, positions: positions)
        var i = 0
        func group(_ k: inout Int) -> [TeXToken]? {
            guard k < toks.count, toks[k].isSymbol("{") else { return nil }
            var depth = 0
            let open = k
            while k < toks.count {
                if toks[k].isSymbol("{") { depth += 1 }
                if toks[k].isSymbol("}") { depth -= 1; if depth == 0 { k += 1; return Array(toks[(open + 1)..<(k - 1)]) } }
                k += 1
            }
            return nil
        }
        /// `\name` or `{\name}`.
        func name(_ k: inout Int) -> String? {
            if k < toks.count, toks[k].kind == .command { k += 1; return toks[k - 1].text }
            var inner = k
            guard let g = group(&inner), g.count == 1, g[0].kind == .command else { return nil }
            k = inner
            return g[0].text
        }
        func bracket(_ k: inout Int) -> [TeXToken]? {
            guard k < toks.count, toks[k].isSymbol("[") else { return nil }
            var j = k + 1
            while j < toks.count, !toks[j].isSymbol("]") { j += 1 }
            guard j < toks.count else { return nil }
            defer { k = j + 1 }
            return Array(toks[(k + 1)..<j])
        }
        while i < toks.count {
            let t = toks[i]
            i += 1
            guard t.kind == .command else { continue }
            if LaTeXUserMacros.definingCommands.contains(t.text) {
                var k = i
                guard let n = name(&k) else { continue }
                var parameters = 0
                if let count = bracket(&k) {
                    parameters = Int(count.map(\.text).joined()) ?? 0
                }
                let optional = bracket(&k)
                guard let body = group(&k) else { continue }
                if t.text.hasPrefix("providecommand"), definitions[n] != nil { continue }
                definitions[n] = Definition(parameters: min(parameters, 9), optionalDefault: optional, body: body)
                i = k
            } else if t.text == "DeclareMathOperator" || t.text == "DeclareMathOperator*" {
                var k = i
                guard let n = name(&k), let body = group(&k) else { continue }
                // `\operatorname{…}` with the operator's letters, as if written out.
                var op = t
                op.text = "operatorname"
                var open = t, close = t
                open.kind = .symbol; open.text = "{"
                close.kind = .symbol; close.text = "}"
                definitions[n] = Definition(parameters: 0, optionalDefault: nil, body: [op, open] + body + [close])
                i = k
            } else if t.text == "def", i < toks.count, toks[i].kind == .command {
                let n = toks[i].text
                var k = i + 1
                var parameters = 0
                while k + 1 < toks.count, toks[k].isSymbol("#"), toks[k + 1].kind == .digit { parameters += 1; k += 2 }
                guard let body = group(&k) else { continue }
                definitions[n] = Definition(parameters: parameters, optionalDefault: nil, body: body)
                i = k
            }
        }
    }

    /// The tokens with every use of a defined macro replaced by its body, arguments put in
    /// for `#1`…`#9`; problems (a missing argument, a macro that uses itself) with their tokens.
    func expand(_ toks: [TeXToken]) -> (tokens: [TeXToken], problems: [(TeXToken, String)]) {
        guard !definitions.isEmpty else { return (toks, []) }
        var problems: [(TeXToken, String)] = []
        var budget = LaTeXUserMacros.maximumTokens
        let out = expand(toks, depth: 0, budget: &budget, problems: &problems)
        return (out, problems)
    }

    private func expand(_ toks: [TeXToken], depth: Int, budget: inout Int, problems: inout [(TeXToken, String)]) -> [TeXToken] {
        var out: [TeXToken] = []
        var i = 0
        while i < toks.count {
            let t = toks[i]
            i += 1
            guard t.kind == .command, let d = definitions[t.text] else { out.append(t); continue }
            guard budget >= d.body.count else {
                problems.append((t, "the macros of this display expand to more than \(LaTeXUserMacros.maximumTokens) tokens"))
                return out
            }
            budget -= d.body.count
            guard depth < LaTeXUserMacros.maximumDepth else {
                problems.append((t, "the macro '\\\(t.text)' expands into itself more than \(LaTeXUserMacros.maximumDepth) times"))
                return out
            }
            var arguments: [[TeXToken]] = []
            if let def = d.optionalDefault {
                if i < toks.count, toks[i].isSymbol("[") {
                    var j = i + 1
                    while j < toks.count, !toks[j].isSymbol("]") { j += 1 }
                    arguments.append(Array(toks[(i + 1)..<min(j, toks.count)]))
                    i = min(j + 1, toks.count)
                } else {
                    arguments.append(def)
                }
            }
            while arguments.count < d.parameters {
                guard i < toks.count else {
                    problems.append((t, "the macro '\\\(t.text)' takes \(d.parameters) argument\(d.parameters == 1 ? "" : "s")"))
                    return out
                }
                if toks[i].isSymbol("{") {
                    var depthOfBraces = 0
                    var j = i
                    while j < toks.count {
                        if toks[j].isSymbol("{") { depthOfBraces += 1 }
                        if toks[j].isSymbol("}") { depthOfBraces -= 1; if depthOfBraces == 0 { break } }
                        j += 1
                    }
                    guard j < toks.count else { problems.append((toks[i], "unbalanced brace: this '{' has no matching '}'")); return out }
                    arguments.append(Array(toks[(i + 1)..<j]))
                    i = j + 1
                } else {
                    arguments.append([toks[i]])
                    i += 1
                }
            }
            var body: [TeXToken] = []
            var k = 0
            while k < d.body.count {
                let b = d.body[k]
                if b.isSymbol("#"), k + 1 < d.body.count, d.body[k + 1].kind == .digit, let n = Int(d.body[k + 1].text),
                   n >= 1, n <= arguments.count {
                    body += arguments[n - 1]
                    k += 2
                    continue
                }
                // The body's own tokens stand where the macro was used.
                var moved = b
                moved.line = t.line
                moved.column = t.column
                moved.start = t.start
                moved.end = t.end
                if k == 0 { moved.spaceBefore = t.spaceBefore }
                body.append(moved)
                k += 1
            }
            // Arguments may use macros too; the body is expanded again, one level deeper.
            out += expand(body, depth: depth + 1, budget: &budget, problems: &problems)
            if !problems.isEmpty { return out }
        }
        return out
    }
}
