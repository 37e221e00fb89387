/// Sums, products and integer powers of canonical forms, and the finite-sum operator.
///
/// Invariants kept here (they make the representation canonical):
/// - a monomial holds at most one `exp` atom, with exponent one, whose argument has no term
///   `n·log P` with an integer n (that is `P^n`, multiplied out);
/// - `inverse` and `sum` atoms have positive exponents (a negative one is multiplied out);
/// - a ranged term mentions its index (otherwise it is `D ·` the monomial) and holds no `sum`
///   atom; an unranged term holds no `sum` atom unless it holds two or more, or also mentions
///   an enclosing index (one closed sum alone is a ranged term).
extension ScalarForm {
    public static func + (a: ScalarForm, b: ScalarForm) -> ScalarForm {
        if a.isZero { return b }
        if b.isZero { return a }
        var t = a.terms
        for (k, c) in b.terms { t[k] = (t[k] ?? .zero) + c }
        return ScalarForm(terms: t)
    }

    public static prefix func - (a: ScalarForm) -> ScalarForm { Rational(-1) * a }
    public static func - (a: ScalarForm, b: ScalarForm) -> ScalarForm { a + (-b) }

    public static func * (r: Rational, a: ScalarForm) -> ScalarForm {
        if r.isZero { return .zero }
        if r == .one { return a }
        return ScalarForm(terms: a.terms.mapValues { $0 * r })
    }

    /// The product, distributed over both sums.
    public static func * (a: ScalarForm, b: ScalarForm) -> ScalarForm {
        if let c = a.constantValue { return c * b }
        if let c = b.constantValue { return c * a }
        var acc: [ScalarTerm: Rational] = [:]
        for (ta, ca) in a.terms {
            for (tb, cb) in b.terms {
                for (t, c) in multiply(ta, tb).terms { acc[t] = (acc[t] ?? .zero) + ca * cb * c }
            }
        }
        return ScalarForm(terms: acc)
    }

    /// `self^n` for n ≥ 0, expanded.
    public func power(_ n: Int) -> ScalarForm {
        precondition(n >= 0)
        if n == 0 { return .one }
        if n == 1 { return self }
        if let (t, c) = singleTerm, t.range == nil {
            // Beyond the exact limits the power stays unexpanded (sound, but not canonical).
            guard t.largestExponent <= ScalarForm.maximumExponent / n, let coefficient = try? c.power(Rational(n)) else {
                return ScalarForm(term: ScalarTerm(factors: [.power(self, ScalarForm(constant: Rational(n))): 1]))
            }
            return coefficient * ScalarForm.canonical(range: nil, factors: t.factors.mapValues { $0 * n })
        }
        if ScalarForm.expandedTermCount(terms.count, n) > ScalarForm.expansionLimit {
            // Too large to expand: kept as a power (sound, but not canonical).
            return ScalarForm(term: ScalarTerm(factors: [.power(self, ScalarForm(constant: Rational(n))): 1]))
        }
        var result = ScalarForm.one, base = self, k = n
        while k > 0 {
            if k & 1 == 1 { result = result * base }
            k >>= 1
            if k > 0 { base = base * base }
        }
        return result
    }

    /// The largest exponent of an atom that a power may produce (`x^1048576`); beyond it a
    /// power is not expanded, and the scalar normaliser reports a written one as unsupported.
    public static let maximumExponent = 1 << 20

    /// The most terms an expansion may produce; beyond it powers and common denominators are
    /// left unexpanded so that a pathological input cannot stall the checker.
    static let expansionLimit = 400

    /// The number of monomials of `(t terms)^n`, `C(n + t − 1, t − 1)`, saturating.
    static func expandedTermCount(_ t: Int, _ n: Int) -> Int {
        var c = 1
        for i in 1..<max(t, 1) {
            c = c * (n + i) / i
            if c > expansionLimit { return expansionLimit + 1 }
        }
        return c
    }

    /// `Σ_{#=1}^{d} body`: terms of `body` that mention the index become ranged terms (the
    /// index becomes the canonical one), the others are multiplied by `d`.
    public static func sigma(_ d: Dimension, _ body: ScalarForm) -> ScalarForm {
        var acc = ScalarForm.zero
        for (t, c) in body.terms {
            if !t.hasFreeComponents {
                acc = acc + c * (dimension(d) * ScalarForm(term: t))
                continue
            }
            let boxes = t.factors.filter { $0.key.isSum }
            if boxes.isEmpty {
                acc = acc + c * canonical(range: d, factors: t.factors)
            } else {
                let rest = t.factors.filter { !$0.key.isSum }
                acc = acc + c * (canonical(range: d, factors: rest) * ScalarForm(term: ScalarTerm(factors: boxes)))
            }
        }
        return acc
    }

    // MARK: - Term products

    /// The product of two canonical terms (coefficient one).
    static func multiply(_ a: ScalarTerm, _ b: ScalarTerm) -> ScalarForm {
        if a == .one { return ScalarForm(term: b) }
        if b == .one { return ScalarForm(term: a) }
        switch (a.range, b.range) {
        case (nil, nil):
            return canonical(range: nil, factors: merged(a.factors, b.factors))
        case (let d?, nil):
            return rangedTimes(a, d, b)
        case (nil, let d?):
            return rangedTimes(b, d, a)
        case (.some, .some):
            let (o1, b1) = box(a), (o2, b2) = box(b)
            return canonical(range: nil, factors: merged(merged(o1, [b1: 1]), merged(o2, [b2: 1])))
        }
    }

    private static func rangedTimes(_ r: ScalarTerm, _ d: Dimension, _ u: ScalarTerm) -> ScalarForm {
        if u.hasFreeComponents || u.factors.keys.contains(where: { $0.isSum }) {
            let (o, b) = box(r)
            return canonical(range: nil, factors: merged(merged(o, [b: 1]), u.factors))
        }
        return canonical(range: d, factors: merged(r.factors, u.factors))
    }

    /// Adds exponents; exponential factors combine into one with the summed argument.
    static func merged(_ f: [ScalarAtom: Int], _ g: [ScalarAtom: Int]) -> [ScalarAtom: Int] {
        var out = f
        var expArg: ScalarForm? = nil
        for (a, n) in f { if case .exp(let x) = a { out[a] = nil; expArg = (expArg ?? .zero) + Rational(n) * x } }
        for (a, n) in g {
            if case .exp(let x) = a { expArg = (expArg ?? .zero) + Rational(n) * x } else { out[a] = (out[a] ?? 0) + n }
        }
        if let e = expArg, !e.isZero { out[.exp(e)] = 1 }
        return out
    }

    /// Splits a ranged term into its index-free factors and a closed `sum` atom.
    static func box(_ t: ScalarTerm) -> (outside: [ScalarAtom: Int], atom: ScalarAtom) {
        var outside: [ScalarAtom: Int] = [:], inside: [ScalarAtom: Int] = [:]
        for (a, n) in t.factors {
            if case .exp(let arg) = a {
                let (bound, free) = arg.splitByIndex()
                if !free.isZero { outside[.exp(free)] = n }
                if !bound.isZero { inside[.exp(bound)] = n }
            } else if a.hasFreeComponents {
                inside[a] = n
            } else {
                outside[a] = n
            }
        }
        return (outside, .sum(t.range ?? .value(1), ScalarForm(term: ScalarTerm(factors: inside))))
    }

    /// The terms that mention the enclosing index, and the others.
    func splitByIndex() -> (bound: ScalarForm, free: ScalarForm) {
        var b: [ScalarTerm: Rational] = [:], f: [ScalarTerm: Rational] = [:]
        for (t, c) in terms { if t.hasFreeComponents { b[t] = c } else { f[t] = c } }
        return (ScalarForm(terms: b), ScalarForm(terms: f))
    }

    /// |r|.
    static func absolute(_ r: Rational) -> Rational { r < .zero ? -r : r }

    /// Restores the invariants on a raw product of atoms (coefficient one).
    static func canonical(range: Dimension?, factors raw: [ScalarAtom: Int]) -> ScalarForm {
        var f: [ScalarAtom: Int] = [:]
        var extra = ScalarForm.one
        var expArg = ScalarForm.zero
        for (a, n) in raw where n != 0 {
            switch a {
            case .exp(let x):
                expArg = expArg + Rational(n) * x
            case .inverse(let s) where n < 0:
                extra = extra * s.power(-n)
            case .sum(let d, let body) where n < 0:
                let sumForm = canonical(range: d, factors: body.singleTerm?.0.factors ?? [:])
                extra = extra * invert(sumForm).power(-n)
            default:
                f[a] = (f[a] ?? 0) + n
            }
        }
        if !expArg.isZero {
            if expArg.hasReciprocals { expArg = expArg.combiningReciprocals() }
            let (pulled, rest) = expArg.splitLogs()
            if !rest.isZero { f[.exp(rest)] = 1 }
            if pulled != .one { extra = extra * pulled }
        }
        f = f.filter { $0.value != 0 }
        if let d = range {
            // Factors pulled out of the exponential (and multiplied-out inverses) live inside
            // the sum: rebuild the summand and sum it again.
            if extra == .one, f.keys.contains(where: { $0.hasFreeComponents }),
               !f.keys.contains(where: { $0.isSum }) {
                return ScalarForm(term: ScalarTerm(range: d, factors: f))
            }
            return sigma(d, canonical(range: nil, factors: f) * extra)
        }
        if range == nil {
            let boxes = f.filter { $0.key.isSum }
            if boxes.count == 1, let (b, k) = boxes.first, k == 1, case .sum(let d, let body) = b,
               !f.keys.contains(where: { $0 != b && $0.hasFreeComponents }) {
                f[b] = nil
                let inner = body.singleTerm?.0.factors ?? [:]
                return canonical(range: d, factors: merged(f, inner)) * extra
            }
        }
        let term = ScalarForm(term: ScalarTerm(range: range, factors: f))
        return extra == .one ? term : term * extra
    }
}
