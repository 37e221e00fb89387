import ELBOAlgebra

/// Thrown after a diagnostic has been recorded, to abandon the current declaration or step.
struct ParseAbort: Error {}

/// Collects the diagnostics of one file.
final class DiagnosticSink {
    let file: String
    private(set) var items: [Diagnostic] = []
    init(file: String) { self.file = file }

    func error(_ token: Token, _ message: String) { items.append(Diagnostic(token.location(file), message)) }
    func error(at location: SourceLocation, _ message: String) { items.append(Diagnostic(location, message)) }
    var count: Int { items.count }
    /// Drops the diagnostics recorded after the first `count` (a body parsed only to find its
    /// extent, for an empty range).
    func discard(after count: Int) { if items.count > count { items.removeSubrange(count...) } }
}

/// A recursive-descent parser over one range of tokens (a declaration or a step).
///
/// Precedence, loosest first: `+ -`; `* /` and juxtaposition (left-associative, one level, so
/// `1/k Σ…` is `(1/k)·Σ…`); unary minus; `^` (right-associative, `-x^2` is `-(x^2)`);
/// postfix superscripts. `log`, `exp` and `sqrt` without parentheses take one factor.
final class ExprParser {
    let tokens: [Token]
    var pos = 0
    let endToken: Token
    var scope: Scope
    let sink: DiagnosticSink
    /// Bound indices of the enclosing `Σ`s, innermost last.
    var sumIndices: [String] = []
    /// Values of the indices of the enclosing `∏`s and `Σ`s over families being unrolled.
    var plateIndices: [String: Int] = [:]
    /// The bindings `v = EXPR` of the density parsed last (`p(x | z = mu + sigma eps)`).
    var densityBindings: [(String, Expr)] = []
    /// Whether the density being parsed is a value (in a step), where bindings may be written.
    var allowsDensityBindings = false
    /// Parameters of the `define` being parsed.
    var locals: Set<String> = []
    var integralDepth = 0
    var normDepth = 0
    var klDepth = 0
    /// How deeply the factors being parsed are nested (brackets, powers, unary signs, operator
    /// arguments): bounded by `maximumNesting` so that no input can exhaust the stack.
    var nesting = 0
    /// The deepest nesting a spec may use. Hand-written derivations stay far below it; the
    /// checker's passes over the expression tree are recursive too, so the bound protects them.
    static let maximumNesting = 100
    /// Where the family parameters declared by this parser (family mode) first appear.
    var newFamilyParameters: [Token] = []

    /// - Parameter after: the token after which an empty range ends, for locating
    ///   "expected …" diagnostics.
    init(tokens: [Token], after: Token, scope: Scope, sink: DiagnosticSink) {
        self.tokens = tokens
        self.scope = scope
        self.sink = sink
        let last = tokens.last ?? after
        endToken = Token(kind: .end, text: "", raw: "", number: nil, line: last.line,
                         column: last.column + (last.end - last.start), start: last.end, end: last.end,
                         atLineStart: false)
    }

    // MARK: Cursor

    var atEnd: Bool { pos >= tokens.count }
    var peek: Token { pos < tokens.count ? tokens[pos] : endToken }
    func peek(_ offset: Int) -> Token { pos + offset < tokens.count ? tokens[pos + offset] : endToken }

    @discardableResult
    func advance() -> Token {
        let t = peek
        if pos < tokens.count { pos += 1 }
        return t
    }

    /// Consumes the symbol `s` if it is next.
    func eat(_ s: String) -> Bool {
        if peek.isSymbol(s) { advance(); return true }
        return false
    }

    /// Records `message` at `token` and returns the error that abandons the construct.
    func fail(_ token: Token, _ message: String) -> ParseAbort {
        sink.error(token, message)
        return ParseAbort()
    }

    func expect(_ s: String, _ what: String) throws -> Token {
        if peek.isSymbol(s) { return advance() }
        throw fail(peek, "expected '\(s)' \(what), found \(peek.quoted)")
    }

    /// Consumes the bracket closing `open`.
    func expectClosing(_ s: String, _ open: Token) throws {
        if peek.isSymbol(s) { advance(); return }
        if atEnd { throw fail(open, "unbalanced '\(open.raw)': no matching '\(s)'") }
        throw fail(peek, "expected '\(s)' to close the '\(open.raw)' at \(open.line):\(open.column), found \(peek.quoted)")
    }

    func expectIdentifier(_ what: String) throws -> Token {
        if peek.isIdentifier { return advance() }
        throw fail(peek, "expected \(what), found \(peek.quoted)")
    }

    /// The source spelling of `tokens[range]`, with a space where the source has one.
    func spelling(_ range: Range<Int>) -> String {
        var out = ""
        for k in range {
            if k > range.lowerBound, tokens[k].start > tokens[k - 1].end { out += " " }
            out += tokens[k].raw
        }
        return out
    }

    // MARK: Arithmetic

    func parseExpression() throws -> Expr {
        var terms = [try parseTerm()]
        while true {
            if eat("+") {
                terms.append(try parseTerm())
            } else if eat("-") {
                terms.append(Expr.negate(try parseTerm()))
            } else {
                break
            }
        }
        return terms.count == 1 ? terms[0] : Expr.add(terms)
    }

    /// Products, quotients and juxtaposed factors, left to right.
    func parseTerm() throws -> Expr {
        var acc = try parseUnary()
        while true {
            if eat("*") {
                acc = Expr.mul([acc, try parseUnary()])
            } else if peek.isSymbol("/") {
                let slash = advance()
                acc = divide(acc, try parseUnary(), at: slash)
            } else if canStartFactor(at: pos) {
                acc = Expr.mul([acc, try parsePower()])
            } else {
                break
            }
        }
        return acc
    }

    /// `a / b`; a literal divisor folds into the coefficient so that `x/2` is `1/2 · x`.
    func divide(_ a: Expr, _ b: Expr, at slash: Token) -> Expr {
        if case .number(let r) = b {
            if r.isZero {
                sink.error(slash, "division by zero")
                return a
            }
            return Expr.mul([a, .number(Rational.one / r)])
        }
        return Expr.divide(a, b)
    }

    func parseUnary() throws -> Expr {
        if peek.isSymbol("-") || peek.isSymbol("+") {
            let sign = advance()
            let operand = try nested(at: sign) { try parseUnary() }
            return sign.isSymbol("-") ? Expr.negate(operand) : operand
        }
        return try parsePower()
    }

    /// Runs `body` one nesting level deeper; past `maximumNesting` records a diagnostic at
    /// `token` that states the limit and abandons the construct.
    func nested<T>(at token: Token, _ body: () throws -> T) throws -> T {
        guard nesting < ExprParser.maximumNesting else {
            throw fail(token, "expression nested too deeply: at most \(ExprParser.maximumNesting) levels of brackets, powers, signs and operators")
        }
        nesting += 1
        defer { nesting -= 1 }
        return try body()
    }

    func parsePower() throws -> Expr {
        try nested(at: peek) { try parsePowerUnguarded() }
    }

    private func parsePowerUnguarded() throws -> Expr {
        let base = try parsePostfix()
        guard peek.isSymbol("^") else { return base }
        advance()
        return try parseExponent(of: base)
    }

    /// The exponent after `^`: `{…}`, `-e`, `T` (transpose) or a right-associative power.
    func parseExponent(of base: Expr) throws -> Expr {
        if peek.isSymbol("{") {
            let open = advance()
            let e = try parseExpression()
            try expectClosing("}", open)
            return makePower(base, e)
        }
        if eat("-") { return makePower(base, Expr.negate(try parsePower())) }
        if peek.isWord("T"), !isValueName("T") {
            advance()
            return .apply("transpose", [base])
        }
        return makePower(base, try parsePower())
    }

    /// `e^x` is `exp(x)`; anything else is a power.
    func makePower(_ base: Expr, _ exponent: Expr) -> Expr {
        if base == .constant(.e) { return .exp(exponent) }
        return .power(base, exponent)
    }

    func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        while peek.kind == .superscript {
            let t = advance()
            e = try applySuperscript(e, t)
        }
        return e
    }

    func applySuperscript(_ base: Expr, _ t: Token) throws -> Expr {
        if t.text == "T" { return .apply("transpose", [base]) }
        if let r = Rational(decimal: t.text.hasPrefix("-") ? String(t.text.dropFirst()) : t.text) {
            return makePower(base, .number(t.text.hasPrefix("-") ? -r : r))
        }
        if isValueName(t.text) { return makePower(base, .symbol(t.text)) }
        throw fail(t, "cannot read the superscript '\(t.raw)'")
    }

    // MARK: Primaries

    /// Whether the token at `index` can begin a factor juxtaposed to the previous one.
    func canStartFactor(at index: Int) -> Bool {
        let t = index < tokens.count ? tokens[index] : endToken
        switch t.kind {
        case .number: return true
        case .symbol:
            if t.text == "(" || t.text == "[" { return true }
            return t.text == "‖" && normDepth == 0 && klDepth == 0
        case .identifier:
            return !scope.stopWords.contains(t.text) && t.text != "prop" && !isDifferential(at: index)
        default: return false
        }
    }

    func parsePrimary() throws -> Expr {
        let t = peek
        switch t.kind {
        case .number:
            advance()
            return .number(t.number ?? .zero)
        case .identifier:
            return try parseIdentifier()
        case .symbol:
            switch t.text {
            case "(":
                if let ref = stepReference() { return ref }
                advance()
                let saved = (klDepth, normDepth)
                klDepth = 0; normDepth = 0
                defer { (klDepth, normDepth) = saved }
                let e = try parseExpression()
                try expectClosing(")", t)
                return e
            case "[":
                if atIversonBracket { return try parseIversonBracket() }
                advance()
                let e = try parseExpression()
                try expectClosing("]", t)
                return e
            case "‖", "||":
                return try parseNorm()
            default:
                throw fail(t, "expected an expression, found \(t.quoted)")
            }
        case .end:
            throw fail(t, "expected an expression, found end of line")
        default:
            throw fail(t, "expected an expression, found \(t.quoted)")
        }
    }

    /// `(7)` in an objective (or wherever step labels are given), when `7` labels a step.
    /// In an objective a parenthesised label that names no step is an error.
    func stepReference() -> Expr? {
        guard scope.objectiveMode || !scope.stepLabels.isEmpty,
              let (label, close) = ExprParser.label(in: tokens, at: pos) else { return nil }
        if !scope.stepLabels.contains(label) {
            guard scope.objectiveMode, label.first?.isNumber == true else { return nil }
            sink.error(tokens[pos], "(\(label)) names no step of this derivation")
        }
        pos = close + 1
        return .stepRef(label)
    }

    /// A step label `(4)`, `(16')`, `(4a)` starting at `index`: its text and the index of `)`.
    static func label(in tokens: [Token], at index: Int) -> (String, Int)? {
        guard index < tokens.count, tokens[index].isSymbol("(") else { return nil }
        var k = index + 1
        var text = ""
        while k < tokens.count, k - index <= 5 {
            let t = tokens[k]
            if t.isSymbol(")") { return text.isEmpty ? nil : (text, k) }
            guard t.kind == .number || t.kind == .identifier || t.isSymbol("'"), t.line == tokens[index].line
            else { return nil }
            text += t.raw
            k += 1
        }
        return nil
    }

    /// `‖v‖²`, `‖v‖_2^2`, `‖v‖^2`, `||v||^2` are `norm2(v)`; a bare `‖v‖` is its square root.
    func parseNorm() throws -> Expr {
        let open = advance()
        let closing = open.text
        normDepth += 1
        let saved = klDepth
        klDepth = 0
        let inner = try parseExpression()
        normDepth -= 1
        klDepth = saved
        guard peek.isSymbol(closing) else {
            if atEnd { throw fail(open, "unbalanced '\(open.raw)': no closing '\(open.raw)'") }
            throw fail(peek, "expected '\(open.raw)' to close the norm opened at \(open.line):\(open.column), found \(peek.quoted)")
        }
        advance()
        if peek.isSymbol("_"), peek(1).kind == .number, peek(1).number == Rational(2) {
            advance(); advance()
        }
        if squaredExponentFollows() { return .norm2(inner) }
        return Expr.squareRoot(.norm2(inner))
    }

    /// Consumes `²`, `^2` or `^{2}` if next.
    private func squaredExponentFollows() -> Bool {
        if peek.kind == .superscript, peek.text == "2" { advance(); return true }
        if peek.isSymbol("^") {
            if peek(1).kind == .number, peek(1).number == Rational(2) { advance(); advance(); return true }
            if peek(1).isSymbol("{"), peek(2).number == Rational(2), peek(3).isSymbol("}") {
                pos += 4; return true
            }
        }
        return false
    }

    // MARK: Names

    /// Whether `name` denotes a value here: a bound index, a `define` parameter or a symbol.
    func isValueName(_ name: String) -> Bool {
        sumIndices.contains(name) || locals.contains(name) || scope.symbols.contains(name)
    }

    static let functionWords: Set<String> = [
        "log", "ln", "exp", "sqrt", "tr", "det", "abs", "transpose", "inverse", "norm2", "KL", "D_KL",
        "H", "N", "int", "iint", "iiint", "sum", "E", "pi", "e", "prop",
        "logsumexp", "softmax",
    ]

    /// `base_j` inside a sum over `j` (when `base_j` is not itself declared) is the component
    /// `.component(base, j)`; so is `base_2` for a `param base[D]`.
    func component(_ name: String) -> Expr? {
        guard let us = name.lastIndex(of: "_") else { return nil }
        let base = String(name[..<us])
        let index = String(name[name.index(after: us)...])
        guard !base.isEmpty, !index.isEmpty else { return nil }
        if sumIndices.contains(index), isValueName(base) { return .component(base, index: index) }
        if index.allSatisfy(\.isNumber),
           let p = scope.declarations.params.first(where: { $0.name == base }), !p.shape.isEmpty {
            return .component(base, index: index)
        }
        return nil
    }

    /// Whether the token at `index` is the differential of an enclosing integral: `d` followed
    /// by a name (`dz_l`) that is not itself declared, or `d(…)`.
    func isDifferential(at index: Int) -> Bool {
        guard integralDepth > 0, index < tokens.count else { return false }
        let t = tokens[index]
        guard t.kind == .identifier, t.text.hasPrefix("d") else { return false }
        if t.text == "d" {
            return !isValueName("d") && index + 1 < tokens.count && tokens[index + 1].isSymbol("(")
                && scope.declarations.definition("d") == nil
        }
        if isValueName(t.text) || ExprParser.functionWords.contains(t.text) { return false }
        if scope.declarations.definition(t.text) != nil || scope.networkNames.contains(t.text) { return false }
        if scope.joint(named: t.text) != nil, index + 1 < tokens.count, tokens[index + 1].isSymbol("(") { return false }
        return true
    }
}
