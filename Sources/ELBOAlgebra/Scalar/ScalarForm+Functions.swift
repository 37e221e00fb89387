/// `exp`, `log`, reciprocals and powers of canonical forms.
///
/// The argument of a `log` atom and of an `inverse` atom is kept in one shape per orbit, so
/// that equal logarithms and reciprocals get equal atoms: for `F = c · m · exp(A) · F'`
/// (c a rational, m a monomial common to every term, A an exponent shift) the atom holds F'
/// and the rest is split off (`log F = log c + log m + A + log F'` when c, m > 0). F' is
/// chosen by `canonicalContent`: the shift that leaves the fewest negative exponents (ties by
/// printed form), no common factor, leading coefficient ±1.
extension ScalarForm {
    // MARK: - exp

    /// `exp(self)`: `exp(n·log P + B) = P^n · exp(B)` for integers n; `exp(0) = 1`.
    public func exponential() -> ScalarForm {
        ScalarForm.canonical(range: nil, factors: [.exp(self): 1])
    }

    /// Separates terms `n · log P` (n an integer, unranged) from the rest of an exponent.
    func splitLogs() -> (pulled: ScalarForm, rest: ScalarForm) {
        var pulled = ScalarForm.one
        var rest: [ScalarTerm: Rational] = [:]
        for (t, c) in terms {
            if t.range == nil, let n = c.intValue, n.magnitude <= UInt(ScalarForm.maximumExponent),
               t.factors.count == 1, let (a, k) = t.factors.first, k == 1, case .log(let p) = a {
                pulled = pulled * p.integerPower(n)
            } else {
                rest[t] = c
            }
        }
        return (pulled, ScalarForm(terms: rest))
    }

    /// `self^n` for any integer n.
    public func integerPower(_ n: Int) -> ScalarForm {
        n >= 0 ? power(n) : ScalarForm.invert(self).power(-n)
    }

    // MARK: - 1/x

    /// `1 / f` (f non-zero where the expression is defined).
    public static func invert(_ f: ScalarForm) -> ScalarForm { invert(f, depth: 0) }

    static func invert(_ f: ScalarForm, depth: Int) -> ScalarForm {
        if f.isZero { return ScalarForm(term: ScalarTerm(factors: [.opaque("1/0", []): 1])) }
        if let (t, c) = f.singleTerm, t.range == nil {
            return (Rational.one / c) * canonical(range: nil, factors: t.factors.mapValues { -$0 })
        }
        if depth < 6, let (n, dens) = f.together() {
            var r = invert(n, depth: depth + 1)
            for (s, e) in dens { r = r * s.power(e) }
            return r
        }
        let (factor, core) = f.canonicalContent(positiveOnly: nil)
        return invert(factor) * ScalarForm(term: ScalarTerm(factors: [.inverse(core): 1]))
    }

    // MARK: - log

    /// `log(self)`, splitting products into sums of logs where every split factor is known
    /// positive in `context`.
    public func logarithm(context: ScalarContext) -> ScalarForm { logarithm(context, depth: 0) }

    func logarithm(_ ctx: ScalarContext, depth: Int) -> ScalarForm {
        let keep = ScalarForm(term: ScalarTerm(factors: [.log(self): 1]))
        if isZero || depth > 8 { return keep }
        if let (t, c) = singleTerm, t.range == nil { return ScalarForm.logOfMonomial(t, c, ctx, depth: depth) }
        var whole = self
        if let (n, dens) = together() {
            if dens.allSatisfy({ ctx.isPositive($0.0) }) {
                var r = n.logarithm(ctx, depth: depth + 1)
                for (s, e) in dens { r = r - Rational(e) * s.logarithm(ctx, depth: depth + 1) }
                return r
            }
            whole = overCommonDenominator() ?? self
            if let (t, c) = whole.singleTerm, t.range == nil { return ScalarForm.logOfMonomial(t, c, ctx, depth: depth) }
        }
        let (factor, core) = whole.canonicalContent(positiveOnly: ctx)
        let head: ScalarForm
        if let (ft, fc) = factor.singleTerm { head = ScalarForm.logOfMonomial(ft, fc, ctx, depth: depth + 1) } else { head = .zero }
        return head + ScalarForm(term: ScalarTerm(factors: [.log(core): 1]))
    }

    private static func logOfMonomial(_ t: ScalarTerm, _ c: Rational, _ ctx: ScalarContext, depth: Int) -> ScalarForm {
        var r = logOfRational(absolute(c))
        var rest: [ScalarAtom: Int] = [:]
        for (a, n) in t.factors {
            if ctx.isPositive(a) { r = r + Rational(n) * logOfPositiveAtom(a, ctx, depth: depth) } else { rest[a] = n }
        }
        let sign = c < .zero ? Rational(-1) : .one
        if rest.isEmpty {
            if sign == .one { return r }
            // The log of a negative number: undefined, kept whole.
            return ScalarForm(term: ScalarTerm(factors: [.log(ScalarForm(term: t, coefficient: c)): 1]))
        }
        let remainder = sign * canonical(range: nil, factors: rest)
        if let (rt, _) = remainder.singleTerm, rt.range == nil {
            return r + ScalarForm(term: ScalarTerm(factors: [.log(remainder): 1]))
        }
        return r + remainder.logarithm(ctx, depth: depth + 1)
    }

    private static func logOfPositiveAtom(_ a: ScalarAtom, _ ctx: ScalarContext, depth: Int) -> ScalarForm {
        switch a {
        case .exp(let x): return x
        case .inverse(let s): return -s.logarithm(ctx, depth: depth + 1)
        case .sum(let d, let body):
            return canonical(range: d, factors: body.singleTerm?.0.factors ?? [:]).logarithm(ctx, depth: depth + 1)
        default:
            return ScalarForm(term: ScalarTerm(factors: [.log(ScalarForm(term: ScalarTerm(factors: [a: 1]))): 1]))
        }
    }

    /// `log r` for r > 0 as a combination of logs of primes (and of one cofactor free of
    /// primes below `trialDivisionLimit`, when there is one).
    static func logOfRational(_ r: Rational) -> ScalarForm {
        var out = ScalarForm.zero
        for (p, e) in primeFactors(r.numerator) { out = out + Rational(e) * logOfPrime(p) }
        for (p, e) in primeFactors(r.denominator) { out = out - Rational(e) * logOfPrime(p) }
        return out
    }

    static func logOfPrime(_ p: BigInt) -> ScalarForm {
        ScalarForm(term: ScalarTerm(factors: [.log(ScalarForm(constant: Rational(p, .one))): 1]))
    }

    /// Trial division goes up to this bound, so that factoring stays cheap for any literal.
    static let trialDivisionLimit = 1 << 16

    /// The factors of |n| by trial division below `trialDivisionLimit`; what is left above 1
    /// is one more factor (a prime when it is below the square of the limit). The result is
    /// a function of n, so equal numbers get equal logarithms.
    static func primeFactors(_ n: BigInt) -> [(BigInt, Int)] {
        var n = n.absoluteValue, p = 2
        var out: [(BigInt, Int)] = []
        while p < trialDivisionLimit, BigInt(p * p) <= n {
            var e = 0
            let bp = BigInt(p)
            while true {
                let (q, r) = n.quotientAndRemainder(dividingBy: bp)
                guard r.isZero else { break }
                n = q; e += 1
            }
            if e > 0 { out.append((bp, e)) }
            p += p == 2 ? 1 : 2
        }
        if n > .one { out.append((n, 1)) }
        return out
    }

    // MARK: - Powers

    /// `self ^ exponent`: integer powers expand; other powers of a positive base are
    /// `exp(exponent · log base)`; anything else is a `power` atom.
    public func raised(to exponent: ScalarForm, context: ScalarContext) -> ScalarForm {
        if let r = exponent.constantValue {
            if let n = r.intValue, n.magnitude <= UInt(ScalarForm.maximumExponent) { return integerPower(n) }
            if isZero, r > .zero { return .zero }
        }
        if self == .one { return .one }
        if context.isPositive(self) { return (exponent * logarithm(context: context)).exponential() }
        return ScalarForm(term: ScalarTerm(factors: [.power(self, exponent): 1]))
    }

    // MARK: - Canonical content

    /// `self = factor · core` with `factor` a single unranged term (coefficient, common
    /// monomial, exponential shift) and `core` canonical for its orbit. With a context, only
    /// factors known positive there (and the positive rational content) are split off.
    func canonicalContent(positiveOnly ctx: ScalarContext?) -> (factor: ScalarForm, core: ScalarForm) {
        var core = self
        var factor = ScalarForm.one
        // 1. Exponential shift.
        let args = terms.keys.map { t -> ScalarForm in
            guard let a = t.expArgument else { return .zero }
            return t.range == nil ? a : a.splitByIndex().free
        }
        let distinct = Array(Set(args))
        var shift = ScalarForm.zero
        if distinct.count == 1 {
            shift = distinct[0]
        } else if distinct.count > 1 {
            var best: (Int, String)? = nil
            for cand in distinct {
                let shifted = distinct.map { $0 - cand }
                let negatives = shifted.reduce(0) { n, f in n + f.terms.values.filter { $0 < .zero }.count }
                let key = (negatives, shifted.map(\.description).sorted().joined(separator: "|"))
                if best == nil || key < best! { best = key; shift = cand }
            }
        }
        if !shift.isZero {
            core = core * ScalarForm(term: ScalarTerm(factors: [.exp(-shift): 1]))
            factor = ScalarForm(term: ScalarTerm(factors: [.exp(shift): 1]))
        }
        // 2. Common monomial factor (minimum exponents).
        var minimum: [ScalarAtom: Int] = [:]
        var first = true
        for t in core.terms.keys {
            var exps: [ScalarAtom: Int] = [:]
            for (a, n) in t.factors where !a.isExp && (t.range == nil || !a.hasFreeComponents) { exps[a] = n }
            if first {
                minimum = exps
                first = false
                continue
            }
            var next: [ScalarAtom: Int] = [:]
            for a in Set(minimum.keys).union(exps.keys) {
                let m = min(minimum[a] ?? 0, exps[a] ?? 0)
                if m != 0 { next[a] = m }
            }
            minimum = next
        }
        // Atoms absent from some term have minimum ≤ 0 already; positive minima need presence everywhere.
        if core.terms.count > 1 || core.terms.keys.contains(where: { $0.range != nil }) {
            if let ctx { minimum = minimum.filter { ctx.isPositive($0.key) } }
            minimum = minimum.filter { $0.value != 0 }
            if !minimum.isEmpty {
                let m = ScalarForm.canonical(range: nil, factors: minimum)
                core = core * ScalarForm.canonical(range: nil, factors: minimum.mapValues { -$0 })
                factor = factor * m
            }
        }
        // 3. Rational content.
        if let (_, lc) = core.leadingTerm {
            let c = ctx == nil ? lc : ScalarForm.absolute(lc)
            core = (Rational.one / c) * core
            factor = c * factor
        }
        return (factor, core)
    }
}
