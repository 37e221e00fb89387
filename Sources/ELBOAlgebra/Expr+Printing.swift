/// Printing terms in spec syntax.
///
/// `description` is ASCII spec syntax that the spec parser reads back to the same term (given
/// the same declarations): minimal parentheses by precedence, `a - b` for terms with a negative
/// coefficient, `a / b` for factors with exponent -1. `unicodeDescription` is for reports
/// (`Σ`, `∫`, `‖v‖²`, `𝔼`, Greek letters) and is not meant to be read back.
extension Expr: CustomStringConvertible {
    /// ASCII spec syntax, e.g. `E_{q(z | x)}[log(p(x | z))] - KL(q(z | x) || p(z))`.
    public var description: String { SpecSyntaxPrinter(unicode: false).render(self).text }

    /// A rendering with mathematical Unicode, for reports.
    public var unicodeDescription: String { SpecSyntaxPrinter(unicode: true).render(self).text }
}

/// One printer per style; each node type renders in one place.
struct SpecSyntaxPrinter {
    let unicode: Bool

    /// Binding strength of a rendered text, loosest first.
    enum Level: Int, Comparable {
        case sum = 1, product, unary, power, atom
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    struct Rendered {
        var text: String
        var level: Level
        /// Extends to the right as far as it can (a `Σ` body): must be last in a product.
        var greedy = false
        /// Ends with its own delimiter but is not safe as the base of a power (an integral).
        var open = false
    }

    func render(_ e: Expr) -> Rendered {
        switch e {
        case .number(let r): return number(r)
        case .constant(let c):
            return Rendered(text: c == .pi ? (unicode ? "π" : "pi") : "e", level: .atom)
        case .symbol(let s): return Rendered(text: name(s), level: .atom)
        case .component(let base, let index): return Rendered(text: name(base) + "_" + name(index), level: .atom)
        case .density(let d): return Rendered(text: density(d), level: .atom)
        case .normalDensity(let x, let m, let v):
            let n = unicode ? "𝒩" : "N"
            return Rendered(text: "\(n)(\(full(x)); \(full(m)), \(full(v)))", level: .atom)
        case .sum(let terms): return sum(terms)
        case .product(let factors): return product(factors)
        case .power(let base, let exponent): return power(base, exponent)
        case .log(let a): return Rendered(text: "log(\(full(a)))", level: .atom)
        case .exp(let a): return Rendered(text: "exp(\(full(a)))", level: .atom)
        case .integral(let body, let vars): return integral(body, vars)
        case .expectation(let measure, let body):
            let m: String
            if case .product(let fs) = measure { m = fs.map { render($0).text }.joined(separator: " ") } else { m = full(measure) }
            return Rendered(text: "\(unicode ? "𝔼" : "E")_{\(m)}[\(full(body))]", level: .atom)
        case .kl(let p, let q):
            return Rendered(text: "KL(\(full(p)) \(unicode ? "‖" : "||") \(full(q)))", level: .atom)
        case .entropy(let p): return Rendered(text: "H(\(full(p)))", level: .atom)
        case .indexedSum(let index, let from, let to, let body):
            let b = render(body)
            let bodyText = b.level < .product ? "(\(b.text))" : b.text
            let sign = unicode ? "Σ" : "sum"
            return Rendered(text: "\(sign)_{\(name(index))=\(full(from))}^{\(full(to))} \(bodyText)", level: .atom, greedy: true)
        case .norm2(let v):
            return Rendered(text: unicode ? "‖\(full(v))‖²" : "norm2(\(full(v)))", level: .atom)
        case .apply(let f, let args):
            if let text = e.densityAtText(full) { return Rendered(text: text, level: .atom) }
            if unicode, f == "transpose", args.count == 1 { return Rendered(text: operand(args[0]) + "ᵀ", level: .power) }
            return Rendered(text: "\(f)(\(args.map(full).joined(separator: ", ")))", level: .atom)
        case .stepRef(let label): return Rendered(text: "(\(label))", level: .atom)
        }
    }

    /// The text of a term in a position that takes a whole expression.
    func full(_ e: Expr) -> String { render(e).text }

    var minus: String { unicode ? "−" : "-" }

    func number(_ r: Rational) -> Rendered {
        if r.numerator < 0 {
            let positive = number(-r)
            return Rendered(text: minus + positive.text, level: .unary)
        }
        if r.isInteger { return Rendered(text: "\(r.numerator)", level: .atom) }
        return Rendered(text: "\(r.numerator)/\(r.denominator)", level: .product)
    }

    /// A term with a negative literal coefficient, negated; nil for other terms.
    func negated(_ e: Expr) -> Expr? {
        switch e {
        case .number(let r) where r.numerator < 0: return .number(-r)
        case .product(let fs):
            guard case .number(let c) = fs.first, c.numerator < 0 else { return nil }
            let rest = Array(fs.dropFirst())
            if c == Rational(-1) { return rest.count == 1 ? rest[0] : .product(rest) }
            return .product([.number(-c)] + rest)
        default: return nil
        }
    }

    func sum(_ terms: [Expr]) -> Rendered {
        var text = ""
        for (k, t) in terms.enumerated() {
            if k > 0, let n = negated(t) {
                let r = render(n)
                text += " \(minus) " + (r.level <= .sum ? "(\(r.text))" : r.text)
            } else {
                let r = render(t)
                let piece = r.level <= .sum ? "(\(r.text))" : r.text
                text += k == 0 ? piece : " + " + piece
            }
        }
        return Rendered(text: text, level: .sum)
    }

    /// `b^-1` with a non-literal base prints as a divisor.
    func divisor(_ e: Expr) -> Expr? {
        guard case .power(let base, .number(let r)) = e, r == Rational(-1) else { return nil }
        if case .number = base { return nil }
        return base
    }

    func product(_ factors: [Expr]) -> Rendered {
        guard !factors.isEmpty else { return Rendered(text: "1", level: .atom) }
        var text = ""
        var level = Level.product
        var rest = factors[...]
        if case .number(let c) = factors[0], factors.count > 1 {
            rest = factors.dropFirst()
            if c == Rational(-1) {
                text = minus
                level = .unary
            } else {
                text = number(c).text
                if c.numerator < 0 { level = .unary }
            }
        }
        for (k, f) in zip(rest.indices, rest) {
            let isFirst = k == rest.startIndex
            let isLast = k == rest.index(before: rest.endIndex)
            if let base = divisor(f) {
                let b = render(base)
                let bt = b.level < .power || (b.greedy && !isLast) ? "(\(b.text))" : b.text
                text += (isFirst && text.isEmpty) || (isFirst && text == minus) ? "1 / \(bt)" : " / \(bt)"
                continue
            }
            let r = render(f)
            let needsParens = r.level < .power || (r.greedy && !isLast)
            let piece = needsParens ? "(\(r.text))" : r.text
            if text.isEmpty || (isFirst && text == minus) {
                text += piece
            } else if let first = piece.first, first.isNumber || first == "-" || first == "−" {
                text += unicode ? " · " + piece : " * " + piece
            } else {
                text += " " + piece
            }
        }
        return Rendered(text: text, level: level)
    }

    func power(_ base: Expr, _ exponent: Expr) -> Rendered {
        if let b = divisor(.power(base, exponent)) {
            let r = render(b)
            let bt = r.level < .power || r.greedy ? "(\(r.text))" : r.text
            return Rendered(text: "1 / \(bt)", level: .product)
        }
        let b = operand(base)
        if unicode, case .number(let r) = exponent, let n = r.intValue, let sup = superscript(n) {
            return Rendered(text: b + sup, level: .power)
        }
        let x = render(exponent)
        let xt: String
        if x.level >= .power && !x.greedy && !x.open {
            xt = x.text
        } else if case .number(let r) = exponent, r.isInteger {
            xt = x.text
        } else {
            xt = "(\(x.text))"
        }
        return Rendered(text: "\(b)^\(xt)", level: .power)
    }

    /// A base of a power or a postfix: atoms only.
    func operand(_ e: Expr) -> String {
        let r = render(e)
        return r.level == .atom && !r.greedy && !r.open ? r.text : "(\(r.text))"
    }

    func integral(_ body: Expr, _ vars: [String]) -> Rendered {
        let signs = unicode ? ["∫", "∬", "∭"] : ["int", "iint", "iiint"]
        let b = full(body)
        if vars.count >= 1 && vars.count <= 3 {
            let ds = vars.map { "d" + name($0) }.joined(separator: " ")
            return Rendered(text: "\(signs[vars.count - 1]) \(b) \(ds)", level: .atom, open: true)
        }
        return Rendered(text: "\(signs[0]) \(b) d(\(vars.map(name).joined(separator: ", ")))", level: .atom, open: true)
    }

    func density(_ d: Density) -> String {
        let left = d.variables.map(name).joined(separator: ", ")
        guard !d.given.isEmpty else { return "\(d.joint)(\(left))" }
        return "\(d.joint)(\(left) | \(d.given.map(name).joined(separator: ", ")))"
    }

    // MARK: Names

    func name(_ s: String) -> String {
        guard unicode else { return s }
        return s.split(separator: "_", omittingEmptySubsequences: false).map { greekSegment(String($0)) }
            .joined(separator: "_")
    }

    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
        "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
        "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ",
        "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
        "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    ]
    static let accents: [(String, String)] = [("hat", "\u{0302}"), ("tilde", "\u{0303}"), ("bar", "\u{0304}")]

    /// `mu` → `μ`, `xhat` → `x̂`, `mutilde` → `μ̃`.
    func greekSegment(_ s: String) -> String {
        if let g = SpecSyntaxPrinter.greek[s] { return g }
        for (suffix, mark) in SpecSyntaxPrinter.accents where s.hasSuffix(suffix) && s.count > suffix.count {
            let stem = String(s.dropLast(suffix.count))
            if let g = SpecSyntaxPrinter.greek[stem] { return g + mark }
            if stem.count == 1, stem.first!.isLetter { return stem + mark }
        }
        return s
    }

    func superscript(_ n: Int) -> String? {
        guard n >= 2 && n <= 9 || n == -1 else { return nil }
        let digits: [Character: Character] = ["1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶",
                                              "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return String(String(n).map { digits[$0]! })
    }
}
