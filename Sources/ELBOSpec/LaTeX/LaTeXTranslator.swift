import ELBOAlgebra
import Foundation

/// One row of a display (rows are separated by `\\`), as tokens of the `.elbo` language, with
/// the equation number written at its end (`\quad (4)`, `\tag{4}`, `(4)`).
struct LaTeXRow {
    var tokens: [Token] = []
    var label: String?
    /// Where the label is written.
    var labelToken: Token?
    /// `\nonumber` or `\notag`: LaTeX gives the row no number.
    var unnumbered = false
}

/// Translates the TeX tokens of one display into `.elbo` tokens, row by row, keeping every
/// token's position in the source. Presentation (fonts, spacing, sizes, alignment) is dropped;
/// what the language cannot read gets a diagnostic at its place, never a crash.
struct LaTeXTranslator {
    let chars: [Character]
    let toks: [TeXToken]
    /// The file of the tokens when it is not the spec being parsed.
    let file: String?
    private var i = 0
    private(set) var rows: [LaTeXRow] = []
    private(set) var diagnostics: [(TeXToken, String)] = []
    private var lefts: [TeXToken] = []
    private var pendingLabel: (String, Token)?
    private var pendingUnnumbered = false
    /// How deep in arguments and groups the cursor is: an equation number is written only at
    /// the top of a row (`x^{(i)}` and `\mathcal{L}(θ; x^{(i)})` end in `(i)` too).
    private var nesting = 0

    init(chars: [Character], tokens: [TeXToken], file: String?) {
        self.chars = chars
        self.toks = tokens
        self.file = file
    }

    /// The rows of the whole display.
    mutating func translate() -> [LaTeXRow] {
        rows = []
        i = 0
        var seq = Sequence()
        while i < toks.count {
            let t = toks[i]
            if t.kind == .command, LaTeXMacro.table[t.text] == .rowBreak {
                i += 1
                skipOptionalBracket()
                finishRow(&seq)
                continue
            }
            step(&seq, limit: toks.count)
        }
        finishRow(&seq)
        for open in lefts { diagnostics.append((open, "'\\left' without a matching '\\right'")) }
        return rows.filter { !$0.tokens.isEmpty || $0.label != nil }
    }

    /// The tokens being built for one row or one argument, and the last atom scripts attach to.
    private struct Sequence {
        var tokens: [Token] = []
        /// Index of the base token of the last atom (its scripts go after it).
        var base: Int?
        /// Whether spacing or `&` came last: a `(N)` after it is an equation number.
        var afterSpacing = true
        /// The `&`s of the row so far: after the second, a column of text is a comment.
        var ampersands = 0
    }

    private mutating func finishRow(_ seq: inout Sequence) {
        while let last = seq.tokens.last, last.isSymbol(",") || last.isSymbol(".") { seq.tokens.removeLast() }
        var row = LaTeXRow(tokens: seq.tokens)
        if let (label, token) = pendingLabel { row.label = label; row.labelToken = token }
        row.unnumbered = pendingUnnumbered
        pendingLabel = nil
        pendingUnnumbered = false
        rows.append(row)
        seq = Sequence()
    }

    // MARK: Tokens

    private func raw(_ a: TeXToken, _ b: TeXToken) -> String { String(chars[a.start..<max(a.start, b.end)]) }

    private func token(_ kind: TokenKind, _ text: String, from a: TeXToken, to b: TeXToken? = nil, number: Rational? = nil) -> Token {
        let b = b ?? a
        return Token(kind: kind, text: text, raw: raw(a, b), number: number, line: a.line, column: a.column,
                     start: a.start, end: b.end, atLineStart: false, file: file)
    }

    private mutating func fail(_ t: TeXToken, _ message: String) { diagnostics.append((t, message)) }

    private func append(_ tokens: [Token], to seq: inout Sequence, from a: TeXToken, to b: TeXToken, parenthesised: Bool) {
        seq.afterSpacing = false
        if tokens.count <= 1 || !parenthesised {
            if !tokens.isEmpty { seq.base = seq.tokens.count }
            seq.tokens += tokens
            return
        }
        seq.base = seq.tokens.count
        seq.tokens.append(token(.symbol, "(", from: a))
        seq.tokens += tokens
        seq.tokens.append(token(.symbol, ")", from: b))
    }

    // MARK: Arguments

    /// The range of the next argument: a brace group's contents, or the next single token.
    private mutating func argument(limit: Int) -> Range<Int>? {
        guard i < limit else { return nil }
        if toks[i].isSymbol("{") {
            let open = i
            var depth = 0
            var k = i
            while k < limit {
                if toks[k].isSymbol("{") { depth += 1 }
                if toks[k].isSymbol("}") {
                    depth -= 1
                    if depth == 0 { i = k + 1; return (open + 1)..<k }
                }
                k += 1
            }
            fail(toks[open], "unbalanced brace: this '{' has no matching '}'")
            i = limit
            return (open + 1)..<limit
        }
        i += 1
        return (i - 1)..<i
    }

    /// The `.elbo` tokens of `range`, translated on their own.
    private mutating func translate(_ range: Range<Int>) -> [Token] {
        let saved = i
        nesting += 1
        defer { i = saved; nesting -= 1 }
        i = range.lowerBound
        var seq = Sequence()
        while i < range.upperBound { step(&seq, limit: range.upperBound) }
        return seq.tokens
    }

    /// Reads the argument after a macro and translates it, leaving the cursor after it.
    private mutating func translatedArgument(of macro: TeXToken, limit: Int) -> (tokens: [Token], last: TeXToken)? {
        guard let r = argument(limit: limit) else {
            fail(macro, "'\\\(macro.text)' needs an argument")
            return nil
        }
        let after = i
        let tokens = translate(r)
        i = after
        let last = r.upperBound < toks.count ? toks[min(r.upperBound, toks.count - 1)] : toks[toks.count - 1]
        return (tokens, after > 0 ? toks[after - 1] : last)
    }

    private mutating func skipOptionalBracket() {
        guard i < toks.count, toks[i].isSymbol("[") else { return }
        var k = i
        while k < toks.count, !toks[k].isSymbol("]") { k += 1 }
        if k < toks.count { i = k + 1 }
    }

    /// The text of a group's source, for `\tag{…}` and environment names.
    private func sourceText(_ range: Range<Int>) -> String {
        guard let a = range.first.map({ toks[$0] }), let b = range.last.map({ toks[$0] }) else { return "" }
        return raw(a, b).trimmingCharacters(in: .whitespaces)
    }

    // MARK: One item

    private mutating func step(_ seq: inout Sequence, limit: Int) {
        let t = toks[i]
        switch t.kind {
        case .letter:
            var k = i + 1
            var name = t.text
            while k < limit, toks[k].kind == .letter, !toks[k].spaceBefore { name += toks[k].text; k += 1 }
            let last = toks[k - 1]
            i = k
            append([token(.identifier, name, from: t, to: last)], to: &seq, from: t, to: last, parenthesised: false)
        case .digit:
            var k = i + 1
            var text = t.text
            while k < limit, toks[k].kind == .digit, !toks[k].spaceBefore { text += toks[k].text; k += 1 }
            if k + 1 < limit, toks[k].isSymbol("."), toks[k + 1].kind == .digit {
                text += "."
                k += 1
                while k < limit, toks[k].kind == .digit { text += toks[k].text; k += 1 }
            }
            let last = toks[k - 1]
            i = k
            append([token(.number, text, from: t, to: last, number: Rational(decimal: text))], to: &seq, from: t, to: last,
                   parenthesised: false)
        case .symbol:
            symbol(t, &seq, limit: limit)
        case .command:
            command(t, &seq, limit: limit)
        }
    }

    private mutating func symbol(_ t: TeXToken, _ seq: inout Sequence, limit: Int) {
        i += 1
        switch t.text {
        case "{":
            i -= 1
            let open = t
            guard let r = argument(limit: limit) else { return }
            let close = i > 0 ? toks[i - 1] : open
            let inner = translate(r)
            append(inner, to: &seq, from: open, to: close, parenthesised: true)
        case "}":
            fail(t, "unbalanced brace: this '}' has no matching '{'")
        case "_", "^":
            script(t, &seq, limit: limit)
        case "&", "~":
            seq.afterSpacing = true
            if t.text == "&" {
                seq.ampersands += 1
                // `… &= B & \text{; because …}`: a third column that starts with text annotates
                // the row (blogs write the reason for a step there); it is not mathematics.
                if seq.ampersands >= 2, annotationFollows(from: i, limit: limit) { i = rowEnd(from: i, limit: limit) }
            }
        case "|":
            if i < limit, toks[i].isSymbol("|"), !toks[i].spaceBefore {
                let second = toks[i]
                i += 1
                seq.tokens.append(token(.symbol, "||", from: t, to: second))
            } else {
                seq.tokens.append(token(.symbol, "|", from: t))
            }
            seq.afterSpacing = false
        case "<", ">", "!", ":":
            if i < limit, toks[i].isSymbol("=") {
                let eq = toks[i]
                i += 1
                let text = t.text == ":" ? "=" : t.text + "="
                seq.tokens.append(token(.symbol, text, from: t, to: eq))
            } else {
                seq.tokens.append(token(.symbol, t.text, from: t))
            }
            seq.afterSpacing = false
        case "'":
            if let last = seq.tokens.last, last.kind == .identifier, last.end == t.start {
                seq.tokens[seq.tokens.count - 1].text += "'"
                seq.tokens[seq.tokens.count - 1].raw += "'"
                seq.tokens[seq.tokens.count - 1].end = t.end
            } else {
                fail(t, "a prime must follow a name")
            }
        case "(":
            if nesting == 0, let (label, close) = equationNumber(at: i - 1, limit: limit, seq: seq) {
                pendingLabel = (label, token(.identifier, label, from: t, to: toks[close]))
                i = close + 1
                return
            }
            seq.tokens.append(token(.symbol, "(", from: t))
            seq.afterSpacing = false
        case ")", "[", "]":
            if t.text != "[" { seq.base = seq.tokens.count }
            seq.tokens.append(token(.symbol, t.text, from: t))
            seq.afterSpacing = false
        case "+", "-", "*", "/", "=", ",", ";":
            seq.tokens.append(token(.symbol, t.text, from: t))
            seq.afterSpacing = t.text == ","
            seq.base = nil
        case ".":
            if !restIsIgnorable(from: i, limit: limit) { fail(t, "unexpected '.' in a display") }
        default:
            fail(t, "unexpected character '\(t.text)' in a display")
        }
    }

    /// Whether text (`\text{…}`, `\mbox{…}`) comes next, behind spacing, style and brackets.
    private func annotationFollows(from start: Int, limit: Int) -> Bool {
        var k = start
        while k < limit {
            let t = toks[k]
            if t.kind == .command {
                switch LaTeXMacro.table[t.text] {
                case .font?: return t.text.hasPrefix("text") || t.text == "mbox"
                case .ignored?, .sized?, .colour?: k += 1; continue
                default: return false
                }
            }
            guard t.isSymbol("{") || t.isSymbol("(") || t.isSymbol("&") else { return false }
            k += 1
        }
        return false
    }

    /// The index of the row break (`\\`) that ends the current row, outside braces, or `limit`.
    private func rowEnd(from start: Int, limit: Int) -> Int {
        var depth = 0
        var k = start
        while k < limit {
            let t = toks[k]
            if t.isSymbol("{") { depth += 1 }
            if t.isSymbol("}") { depth -= 1 }
            if depth <= 0, t.kind == .command, LaTeXMacro.table[t.text] == .rowBreak { return k }
            if depth <= 0, t.kind == .command, LaTeXMacro.table[t.text] == .end { return k }
            k += 1
        }
        return limit
    }

    /// `(N)` at the end of a row after spacing (or after a non-name): the equation number.
    private func equationNumber(at open: Int, limit: Int, seq: Sequence) -> (String, Int)? {
        var k = open + 1
        var text = ""
        while k < limit, k - open <= 6, toks[k].kind == .digit || toks[k].kind == .letter || toks[k].isSymbol("'") {
            text += toks[k].text
            k += 1
        }
        guard !text.isEmpty, k < limit, toks[k].isSymbol(")"), restIsIgnorable(from: k + 1, limit: limit) else { return nil }
        let previous = seq.tokens.last
        let afterName = previous.map { $0.kind == .identifier || $0.isSymbol("^") || $0.isSymbol("_") } ?? false
        guard seq.afterSpacing || (text.first?.isNumber == true && !afterName) else { return nil }
        return (text, k)
    }

    /// Whether only layout remains up to the end of the row: spacing, `\end{…}`, punctuation.
    private func restIsIgnorable(from start: Int, limit: Int) -> Bool {
        var k = start
        while k < limit {
            let t = toks[k]
            if t.kind == .command {
                if LaTeXMacro.table[t.text] == .rowBreak { return true }
                switch LaTeXMacro.table[t.text] {
                case .ignored?: k += 1; continue
                case .end?:
                    k += 1
                    if k < limit, toks[k].isSymbol("{") {
                        while k < limit, !toks[k].isSymbol("}") { k += 1 }
                        k += 1
                    }
                    continue
                default: return false
                }
            }
            if t.isSymbol(".") || t.isSymbol(",") || t.isSymbol("~") || t.isSymbol("&") { k += 1; continue }
            return false
        }
        return true
    }

    // MARK: Scripts

    static let integralWords: Set<String> = ["int", "iint", "iiint"]
    static let boundOperators: Set<String> = ["sum", "prod", "E"]
    static let greekNames: Set<String> = Set(LaTeXMacro.table.compactMap { key, m in
        if case .name(let n) = m, n == key, n.first?.isLetter == true, n.count > 2 { return n }
        return nil
    })

    private mutating func script(_ mark: TeXToken, _ seq: inout Sequence, limit: Int) {
        guard i < limit else { fail(mark, "'\(mark.text)' without a script after it"); return }
        var content: [Token]
        if toks[i].isSymbol("{") {
            guard let r = argument(limit: limit) else { return }
            let after = i
            content = translate(r)
            i = after
        } else {
            var one = Sequence()
            step(&one, limit: limit)
            content = one.tokens
        }
        if content.isEmpty { return }
        let base = seq.base.map { seq.tokens[$0] }
        let baseIsName = base?.kind == .identifier
        if let base, baseIsName, LaTeXTranslator.integralWords.contains(base.text) { return }  // bounds of an integral
        if mark.text == "^" {
            if content.count == 1, content[0].kind == .identifier, ["T", "top", "intercal"].contains(content[0].text) {
                seq.tokens.append(token(.symbol, "^", from: mark))
                var t = content[0]
                t.text = "T"
                seq.tokens.append(t)
                return
            }
            // `x^{(i)}`: the index of a data point, which the declarations' variable stands for.
            if baseIsName, content.count == 3, content[0].isSymbol("("), content[2].isSymbol(")"), content[1].kind == .identifier {
                return
            }
            seq.tokens.append(token(.symbol, "^", from: mark))
            if content.count == 1 {
                seq.tokens.append(content[0])
            } else {
                seq.tokens.append(token(.symbol, "{", from: mark))
                seq.tokens += content
                seq.tokens.append(token(.symbol, "}", from: mark))
            }
            return
        }
        guard let b = seq.base, let base, baseIsName, !LaTeXTranslator.boundOperators.contains(base.text) else {
            // A subscript of a bracket or an operator with bounds: kept as written.
            let at = seq.base.map { $0 + 1 } ?? seq.tokens.count
            var inserted = [token(.symbol, "_", from: mark)]
            if content.count == 1, base.map({ !LaTeXTranslator.boundOperators.contains($0.text) }) ?? true {
                inserted.append(content[0])
            } else {
                inserted += [token(.symbol, "{", from: mark)] + content + [token(.symbol, "}", from: mark)]
            }
            seq.tokens.insert(contentsOf: inserted, at: min(at, seq.tokens.count))
            return
        }
        let simple = content.count == 1 && (content[0].kind == .identifier || content[0].kind == .number)
        let parameterList = content.count > 1 && content.enumerated().allSatisfy { k, t in
            k % 2 == 0 ? (t.kind == .identifier && LaTeXTranslator.greekNames.contains(t.text)) : t.isSymbol(",")
        }
        if simple || parameterList {
            // `z_l`, `gamma_1`, `D_{KL}`, `p_{\theta}`, `\mathcal{L}_{\theta, \phi}`: one name.
            var merged = seq.tokens[b]
            merged.text += "_" + content.filter { !$0.isSymbol(",") }.map(\.text).joined(separator: ",")
            merged.end = max(merged.end, content[content.count - 1].end, i > 0 ? toks[i - 1].end : 0)
            merged.raw = String(chars[merged.start..<merged.end])
            seq.tokens[b] = merged
            return
        }
        let inserted = [token(.symbol, "_", from: mark), token(.symbol, "{", from: mark)] + content + [token(.symbol, "}", from: mark)]
        seq.tokens.insert(contentsOf: inserted, at: b + 1)
    }

    // MARK: Commands

    private mutating func command(_ t: TeXToken, _ seq: inout Sequence, limit: Int) {
        i += 1
        guard let macro = LaTeXMacro.table[t.text] else {
            var message = "unknown LaTeX macro '\\\(t.text)'"
            if let hint = LaTeXMacro.hints[t.text] { message += ": \(hint)" }
            fail(t, message)
            return
        }
        switch macro {
        case .name(let n):
            append([token(.identifier, n, from: t)], to: &seq, from: t, to: t, parenthesised: false)
        case .symbol(let s):
            if s == "|", let last = seq.tokens.last, last.isSymbol("|"), last.end == t.start {
                // `\mid\mid` is the `||` of a divergence.
                seq.tokens[seq.tokens.count - 1].text = "||"
                seq.tokens[seq.tokens.count - 1].end = t.end
                seq.tokens[seq.tokens.count - 1].raw = String(chars[last.start..<t.end])
                return
            }
            seq.tokens.append(token(.symbol, s, from: t))
            if s == ")" || s == "]" || s == "‖" { seq.base = seq.tokens.count - 1 } else if s != "(" && s != "[" { seq.base = nil }
            seq.afterSpacing = false
        case .ignored:
            seq.afterSpacing = true
            if t.text == "nonumber" || t.text == "notag" { pendingUnnumbered = true }
        case .ignoredWithArgument:
            _ = argument(limit: limit)
            seq.afterSpacing = true
        case .font:
            guard let r = argument(limit: limit) else { fail(t, "'\\\(t.text)' needs an argument"); return }
            let after = i
            // `\text{ by Jensen }`: words are a comment, not mathematics.
            if t.text.hasPrefix("text") || t.text == "mbox",
               r.dropFirst().contains(where: { toks[$0].spaceBefore }) || r.contains(where: { toks[$0].isSymbol("(") }) {
                return
            }
            var inner = translate(r)
            i = after
            if inner.count == 1, inner[0].kind == .identifier, let spelled = LaTeXMacro.spelledNames[inner[0].text] {
                inner[0].text = spelled
            }
            // The whole `\mathbf{x}` is the token's source, so a later subscript extends it.
            if inner.count == 1 {
                inner[0].start = t.start
                inner[0].line = t.line
                inner[0].column = t.column
                inner[0].end = toks[after - 1].end
                inner[0].raw = raw(t, toks[after - 1])
            }
            append(inner, to: &seq, from: t, to: toks[after - 1], parenthesised: false)
        case .accent(let suffix):
            guard let (inner, last) = translatedArgument(of: t, limit: limit) else { return }
            guard inner.count == 1, inner[0].kind == .identifier else {
                fail(t, "'\\\(t.text)' over more than one name: accents make names (\\hat{x} is xhat)")
                return
            }
            append([token(.identifier, inner[0].text + suffix, from: t, to: last)], to: &seq, from: t, to: last,
                   parenthesised: false)
        case .transparent:
            guard let (inner, last) = translatedArgument(of: t, limit: limit) else { return }
            append(inner, to: &seq, from: t, to: last, parenthesised: true)
        case .brace:
            guard let (inner, last) = translatedArgument(of: t, limit: limit) else { return }
            append(inner, to: &seq, from: t, to: last, parenthesised: true)
            if i < limit, toks[i].isSymbol("_") || toks[i].isSymbol("^") {
                i += 1
                _ = argument(limit: limit)
            }
        case .setOver:
            guard let annotation = argument(limit: limit) else { fail(t, "'\\\(t.text)' needs two arguments"); return }
            let note = sourceText(annotation)
            guard let (inner, last) = translatedArgument(of: t, limit: limit) else { return }
            if inner.count == 1, inner[0].isSymbol("="), note == "c" || note == "\\text{c}" || note == "\\mathrm{c}" {
                seq.tokens.append(token(.symbol, "=c", from: t, to: last))
                seq.base = nil
            } else {
                append(inner, to: &seq, from: t, to: last, parenthesised: false)
                if inner.count == 1, inner[0].kind == .symbol { seq.base = nil }
            }
        case .fraction:
            guard let (numerator, _) = translatedArgument(of: t, limit: limit),
                  let (denominator, last) = translatedArgument(of: t, limit: limit) else { return }
            func wrapped(_ e: [Token]) -> [Token] {
                e.count == 1 ? e : [token(.symbol, "(", from: t)] + e + [token(.symbol, ")", from: last)]
            }
            let tokens = wrapped(numerator) + [token(.symbol, "/", from: t)] + wrapped(denominator)
            append(tokens, to: &seq, from: t, to: last, parenthesised: true)
        case .squareRoot:
            if i < limit, toks[i].isSymbol("[") { fail(t, "roots other than the square root are not read"); skipOptionalBracket() }
            guard let (inner, last) = translatedArgument(of: t, limit: limit) else { return }
            let tokens = [token(.identifier, "sqrt", from: t), token(.symbol, "(", from: t)] + inner + [token(.symbol, ")", from: last)]
            append(tokens, to: &seq, from: t, to: last, parenthesised: false)
            seq.base = nil
        case .left, .right, .middle:
            if macro == .left { lefts.append(t) }
            if macro == .right {
                if lefts.isEmpty { fail(t, "'\\right' without a matching '\\left'") } else { lefts.removeLast() }
            }
            guard i < limit else { fail(t, "'\\\(t.text)' needs a delimiter after it"); return }
            if toks[i].isSymbol(".") { i += 1; return }
            // The delimiter itself is read as an ordinary token.
            step(&seq, limit: limit)
        case .sized:
            break
        case .tag:
            guard let r = argument(limit: limit), !r.isEmpty else { fail(t, "'\\tag' needs the equation number"); return }
            let text = sourceText(r)
            pendingLabel = (text, token(.identifier, text, from: t, to: toks[i - 1]))
        case .begin, .end:
            guard let r = argument(limit: limit) else { fail(t, "'\\\(t.text)' needs an environment name"); return }
            let name = sourceText(r)
            guard LaTeXMacro.layoutEnvironments.contains(name) else {
                fail(t, "the environment '\(name)' is not read in a display (use aligned, align, split or equation)")
                return
            }
            if macro == .begin {
                skipOptionalBracket()
                if name.hasPrefix("alignat") || name == "alignedat" { _ = argument(limit: limit) }
            }
            seq.afterSpacing = true
        case .rowBreak:
            seq.afterSpacing = true
        case .colour(let n):
            for _ in 0..<n { _ = argument(limit: limit) }
        }
    }
}
