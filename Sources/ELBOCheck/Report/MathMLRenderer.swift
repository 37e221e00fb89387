import ELBOAlgebra

/// Typesets terms as presentation MathML (MathML Core, which browsers render natively), the
/// way a paper sets them: fractions for divisions, sub- and superscripts, `𝔼_{q(z|x)}[…]`,
/// `KL(q ‖ p)`, `∫ … dz`, `Σ` with its bounds under and over it, hats over letters, and only
/// the parentheses that precedence needs (the same levels as the spec printer's).
public struct MathMLRenderer: Sendable {
    public init() {}

    /// One `<math>` element: `lhs relation expr` (either part optional), block or inline.
    public func math(_ expr: Expr?, relation: String? = nil, lhs: Expr? = nil, display: Bool = true) -> String {
        var body = ""
        if let lhs { body += render(lhs).markup }
        if let relation { body += "<mo>\(MathMLNames.escape(relation))</mo>" }
        if let expr { body += render(expr).markup }
        let mode = display ? "block" : "inline"
        return "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"\(mode)\"><mrow>\(body)</mrow></math>"
    }

    /// Binding strength of a rendered term, loosest first.
    enum Level: Int, Comparable {
        case sum = 1, product, unary, power, atom
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// The markup of a term, always one element (an `mfrac` or `msup` takes its parts as
    /// single children), with what its neighbours need to know about it.
    struct Rendered {
        var markup: String
        var level: Level
        /// Extends to the right as far as it can (a `Σ` body, a `log` without parentheses):
        /// must be last in a product or be parenthesised.
        var greedy = false
        /// Ends in its own closing symbol but is no base for a power (an integral's `dz`).
        var open = false
        /// Starts with a digit: a product writes `·` before it.
        var startsWithNumber = false
        /// A fraction: an atom, but a power of it needs parentheses.
        var fraction = false
        /// Starts with an operator word or sign (`log`, `𝔼`, `KL`, `∫`, `∑`): a product puts a
        /// thin space before it, as TeX does before `\\log`.
        var startsWithOperator = false
    }

    func render(_ e: Expr) -> Rendered {
        switch e {
        case .number(let r): return number(r)
        case .constant(let c):
            return Rendered(markup: c == .pi ? "<mi>π</mi>" : "<mi>e</mi>", level: .atom)
        case .symbol(let s): return Rendered(markup: MathMLNames.identifier(s), level: .atom)
        case .component(let base, let index): return Rendered(markup: MathMLNames.identifier(base + "_" + index), level: .atom)
        case .density(let d): return Rendered(markup: density(d), level: .atom)
        case .apply where e.densityAtPoint != nil:
            let (d, bindings) = e.densityAtPoint!
            return Rendered(markup: density(d, at: bindings), level: .atom)
        case .normalDensity(let x, let m, let v):
            let args = full(x) + "<mo separator=\"true\">;</mo>" + full(m) + "<mo separator=\"true\">,</mo>" + full(v)
            return Rendered(markup: "<mrow><mi>𝒩</mi>\(fenced(args))</mrow>", level: .atom)
        case .sum(let terms): return sum(terms)
        case .product(let factors): return product(factors)
        case .power(let base, let exponent): return power(base, exponent)
        case .log(let a): return log(a, parenthesised: false)
        case .exp(let a): return Rendered(markup: "<mrow><mi>exp</mi>\(fenced(full(a)))</mrow>", level: .atom, startsWithOperator: true)
        case .integral(let body, let vars): return integral(body, vars)
        case .expectation(let measure, let body):
            let e = "<msub><mi>𝔼</mi><mrow>\(measureMarkup(measure))</mrow></msub>"
            return Rendered(markup: "<mrow>\(e)\(fenced(full(body), "[", "]"))</mrow>", level: .atom, startsWithOperator: true)
        case .kl(let p, let q):
            let args = full(p) + "<mo lspace=\"0.2em\" rspace=\"0.2em\">‖</mo>" + full(q)
            return Rendered(markup: "<mrow><mi>KL</mi>\(fenced(args))</mrow>", level: .atom, startsWithOperator: true)
        case .entropy(let p):
            return Rendered(markup: "<mrow><mi mathvariant=\"normal\">H</mi>\(fenced(full(p)))</mrow>", level: .atom,
                            startsWithOperator: true)
        case .indexedSum(let index, let from, let to, let body): return indexedSum(index, from, to, body)
        case .norm2(let v):
            let norm = "<mrow><mo>‖</mo>\(full(v))<mo>‖</mo></mrow>"
            return Rendered(markup: "<msup>\(norm)<mn>2</mn></msup>", level: .atom)
        case .apply(let f, let args): return apply(f, args)
        case .stepRef(let label): return Rendered(markup: "<mtext>(\(MathMLNames.escape(label)))</mtext>", level: .atom)
        }
    }

    /// A term in a position that takes a whole expression (inside brackets, a subscript).
    func full(_ e: Expr) -> String { render(e).markup }

    /// `(content)`; the brackets stretch to tall content such as fractions.
    func fenced(_ content: String, _ open: String = "(", _ close: String = ")") -> String {
        "<mrow><mo>\(open)</mo>\(content)<mo>\(close)</mo></mrow>"
    }

    func parenthesised(_ r: Rendered) -> Rendered {
        Rendered(markup: fenced(r.markup), level: .atom)
    }

    func number(_ r: Rational) -> Rendered {
        if r < .zero {
            return Rendered(markup: "<mrow><mo>−</mo>\(number(-r).markup)</mrow>", level: .unary)
        }
        if r.isInteger { return Rendered(markup: "<mn>\(r.numerator)</mn>", level: .atom, startsWithNumber: true) }
        return Rendered(markup: "<mfrac><mn>\(r.numerator)</mn><mn>\(r.denominator)</mn></mfrac>", level: .atom, fraction: true)
    }

    func density(_ d: Density, at bindings: [(String, Expr)] = []) -> String {
        /// `z = mu + sigma eps` for a variable bound to a point.
        func variable(_ v: String) -> String {
            guard let value = bindings.first(where: { $0.0 == v })?.1 else { return MathMLNames.identifier(v) }
            return "<mrow>\(MathMLNames.identifier(v))<mo>=</mo>\(full(value))</mrow>"
        }
        var args = d.variables.map(variable).joined(separator: "<mo separator=\"true\">,</mo>")
        if !d.given.isEmpty {
            args += "<mo lspace=\"0.25em\" rspace=\"0.25em\" stretchy=\"false\">|</mo>"
            args += d.given.map(variable).joined(separator: "<mo separator=\"true\">,</mo>")
        }
        return "<mrow>\(MathMLNames.identifier(d.joint))<mo stretchy=\"false\">(</mo>\(args)<mo stretchy=\"false\">)</mo></mrow>"
    }

    /// The measure of an expectation: a density, or a product of densities side by side.
    func measureMarkup(_ m: Expr) -> String {
        if case .product(let fs) = m { return fs.map(full).joined() }
        return full(m)
    }

    // MARK: Sums and products

    /// A term with a negative literal coefficient, negated; nil for other terms.
    func negated(_ e: Expr) -> Expr? {
        switch e {
        case .number(let r) where r < .zero: return .number(-r)
        case .product(let fs):
            guard case .number(let c) = fs.first, c < .zero else { return nil }
            let rest = Array(fs.dropFirst())
            if c == Rational(-1) { return rest.count == 1 ? rest[0] : .product(rest) }
            return .product([.number(-c)] + rest)
        default: return nil
        }
    }

    func sum(_ terms: [Expr]) -> Rendered {
        var markup = ""
        for (k, t) in terms.enumerated() {
            if k > 0, let n = negated(t) {
                let r = render(n)
                markup += "<mo>−</mo>" + (r.level <= .sum ? fenced(r.markup) : r.markup)
            } else {
                let r = render(t)
                if k > 0 { markup += "<mo>+</mo>" }
                markup += r.level <= .sum ? fenced(r.markup) : r.markup
            }
        }
        return Rendered(markup: "<mrow>\(markup)</mrow>", level: .sum)
    }

    /// The base of `b^(-n)` for a non-literal base, with the positive power: a divisor.
    func divisor(_ e: Expr) -> Expr? {
        guard case .power(let base, .number(let r)) = e, r < .zero else { return nil }
        if case .number = base { return nil }
        return r == Rational(-1) ? base : .power(base, .number(-r))
    }

    /// Terms a paper writes after a fraction rather than in its numerator: `½ 𝔼[…]`,
    /// `1/(2γ²) Σ_j …`.
    func isLarge(_ e: Expr) -> Bool {
        switch e {
        case .integral, .expectation, .indexedSum, .kl, .entropy: return true
        case .number, .constant, .symbol, .component, .density, .normalDensity, .sum, .product, .power, .log, .exp,
             .norm2, .apply, .stepRef:
            return false
        }
    }

    func product(_ factors: [Expr]) -> Rendered {
        guard !factors.isEmpty else { return Rendered(markup: "<mn>1</mn>", level: .atom, startsWithNumber: true) }
        var coefficient = Rational(1)
        var rest = factors[...]
        if case .number(let c) = factors[0], factors.count > 1 {
            coefficient = c
            rest = factors.dropFirst()
        }
        let negative = coefficient < .zero
        let magnitude = negative ? -coefficient : coefficient
        var numerator: [Expr] = []
        var denominator: [Expr] = []
        for f in rest {
            if let d = divisor(f) { denominator.append(d) } else { numerator.append(f) }
        }
        var body: Rendered
        if denominator.isEmpty && magnitude.isInteger {
            let leading: [Expr] = magnitude == Rational(1) ? [] : [.number(magnitude)]
            body = juxtaposed(leading + numerator)
        } else {
            let inline = numerator.prefix { !isLarge($0) }
            let trailing = Array(numerator.dropFirst(inline.count))
            // A pure number over a number stays a number (½); otherwise the factors that a
            // paper keeps in the numerator go there.
            let top: [Expr] = (magnitude.numerator == 1 && !inline.isEmpty ? [] : [.number(Rational(magnitude.numerator, .one))])
                + (denominator.isEmpty ? [] : Array(inline))
            let bottom: [Expr] = (magnitude.denominator == 1 ? [] : [.number(Rational(magnitude.denominator, .one))]) + denominator
            let fraction = "<mfrac>\(inFraction(top))\(inFraction(bottom))</mfrac>"
            let after = denominator.isEmpty ? Array(numerator) : trailing
            if after.isEmpty {
                body = Rendered(markup: fraction, level: .atom, fraction: true)
            } else {
                let tail = juxtaposed(after)
                body = Rendered(markup: "<mrow>\(fraction)\(separator(before: tail))\(tail.markup)</mrow>", level: .product,
                                greedy: tail.greedy)
            }
        }
        if negative {
            let b = body.level <= .sum ? parenthesised(body) : body
            return Rendered(markup: "<mrow><mo>−</mo>\(b.markup)</mrow>", level: .unary, greedy: b.greedy)
        }
        return body
    }

    /// Factors written side by side, each parenthesised where it would otherwise swallow or
    /// split its neighbours.
    func juxtaposed(_ factors: [Expr]) -> Rendered {
        var markup = ""
        var greedy = false
        var startsWithNumber = false
        var startsWithOperator = false
        for (k, f) in factors.enumerated() {
            let isLast = k == factors.count - 1
            var r: Rendered
            if case .log(let a) = f, !isLast { r = log(a, parenthesised: true) } else { r = render(f) }
            if r.level <= .unary || ((r.greedy || r.open) && !isLast) { r = parenthesised(r) }
            if k == 0 {
                startsWithNumber = r.startsWithNumber
                startsWithOperator = r.startsWithOperator
            } else {
                markup += separator(before: r)
            }
            markup += r.markup
            if isLast { greedy = r.greedy }
        }
        return Rendered(markup: "<mrow>\(markup)</mrow>", level: .product, greedy: greedy, startsWithNumber: startsWithNumber,
                        startsWithOperator: startsWithOperator)
    }

    /// `·` before a number (2 · 3), a thin space before an operator word (`q log p`), an
    /// invisible times otherwise (2πσ²).
    func separator(before r: Rendered) -> String {
        if r.startsWithNumber { return "<mo>·</mo>" }
        return r.startsWithOperator ? "<mo>&#x2062;</mo>" + MathMLRenderer.thinSpace : "<mo>&#x2062;</mo>"
    }

    static let thinSpace = "<mspace width=\"0.1667em\"></mspace>"

    /// A numerator or denominator: no parentheses needed, the bar groups.
    func inFraction(_ factors: [Expr]) -> String {
        if factors.isEmpty { return "<mn>1</mn>" }
        if factors.count == 1 { return full(factors[0]) }
        return juxtaposed(factors).markup
    }

    // MARK: Powers and functions

    func power(_ base: Expr, _ exponent: Expr) -> Rendered {
        if let d = divisor(.power(base, exponent)) {
            return Rendered(markup: "<mfrac><mn>1</mn>\(full(d))</mfrac>", level: .atom, fraction: true)
        }
        if case .number(let r) = exponent, r == Rational.half {
            return Rendered(markup: "<msqrt>\(full(base))</msqrt>", level: .atom)
        }
        let b = render(base)
        let baseMarkup = b.level < .atom || b.greedy || b.open || b.fraction ? fenced(b.markup) : b.markup
        return Rendered(markup: "<msup>\(baseMarkup)\(exponentMarkup(exponent))</msup>", level: .power)
    }

    /// An exponent: rationals as `a/b` on one line (a stacked fraction is too small to read).
    func exponentMarkup(_ x: Expr) -> String {
        if case .number(let r) = x, !r.isInteger {
            let sign = r < .zero ? "<mo>−</mo>" : ""
            let m = r < .zero ? -r : r
            return "<mrow>\(sign)<mn>\(m.numerator)</mn><mo>/</mo><mn>\(m.denominator)</mn></mrow>"
        }
        return full(x)
    }

    /// `log p(x | z)` or `log(a + b)`: parentheses unless the argument is one atom.
    func log(_ a: Expr, parenthesised: Bool) -> Rendered {
        let r = render(a)
        if parenthesised || r.level < .atom || r.greedy || r.open {
            return Rendered(markup: "<mrow><mi>log</mi>\(fenced(r.markup))</mrow>", level: .atom, startsWithOperator: true)
        }
        return Rendered(markup: "<mrow><mi>log</mi>\(MathMLRenderer.thinSpace)\(r.markup)</mrow>", level: .atom, greedy: true,
                        startsWithOperator: true)
    }

    func integral(_ body: Expr, _ vars: [String]) -> Rendered {
        let signs = ["∫", "∬", "∭"]
        let sign = vars.count >= 1 && vars.count <= 3 ? signs[vars.count - 1] : "∫"
        let differentials = vars.map { MathMLRenderer.thinSpace + "<mi mathvariant=\"normal\">d</mi>" + MathMLNames.identifier($0) }
        let markup = "<mrow><mo>\(sign)</mo>\(full(body))\(differentials.joined())</mrow>"
        return Rendered(markup: markup, level: .atom, open: true, startsWithOperator: true)
    }

    func indexedSum(_ index: String, _ from: Expr, _ to: Expr, _ body: Expr) -> Rendered {
        let under = "<mrow>\(MathMLNames.identifier(index))<mo>=</mo>\(full(from))</mrow>"
        let sign = "<munderover><mo>∑</mo>\(under)\(full(to))</munderover>"
        let b = render(body)
        let bodyMarkup = b.level < .product ? fenced(b.markup) : b.markup
        return Rendered(markup: "<mrow>\(sign)\(bodyMarkup)</mrow>", level: .atom, greedy: true, startsWithOperator: true)
    }

    func apply(_ f: String, _ args: [Expr]) -> Rendered {
        let list = args.map(full).joined(separator: "<mo separator=\"true\">,</mo>")
        switch (f, args.count) {
        case ("transpose", 1), ("inverse", 1):
            let b = render(args[0])
            let base = b.level < .atom || b.greedy || b.open || b.fraction ? fenced(b.markup) : b.markup
            let mark = f == "transpose" ? "<mi>⊤</mi>" : "<mrow><mo>−</mo><mn>1</mn></mrow>"
            return Rendered(markup: "<msup>\(base)\(mark)</msup>", level: .power)
        case ("abs", 1):
            return Rendered(markup: "<mrow><mo>|</mo>\(list)<mo>|</mo></mrow>", level: .atom)
        case ("tr", _), ("det", _):
            return Rendered(markup: "<mrow><mi>\(f)</mi>\(fenced(list))</mrow>", level: .atom, startsWithOperator: true)
        default:
            let name = f.count > 1 && !f.contains("_") && MathMLNames.greek[f] == nil
                ? "<mi>\(MathMLNames.escape(f))</mi>" : MathMLNames.identifier(f)
            return Rendered(markup: "<mrow>\(name)\(fenced(list))</mrow>", level: .atom)
        }
    }
}
