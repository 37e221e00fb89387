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
            if t.range == nil, c.isInteger, t.factors.count == 1, let (a, k) = t.factors.first, k == 1,
               case .log(let p) = a {
                pulled = pulled * p.integerPower(c.numerator)
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
        var r = logOfRational(c.magnitude)
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

    /// `log r` for r > 0 as a combination of logs of primes.
    static func logOfRational(_ r: Rational) -> ScalarForm {
        var out = ScalarForm.zero
        for (p, e) in primeFactors(r.numerator) { out = out + Rational(e) * logOfPrime(p) }
        for (p, e) in primeFactors(r.denominator) { out = out - Rational(e) * logOfPrime(p) }
        return out
    }

    static func logOfPrime(_ p: Int) -> ScalarForm {
        ScalarForm(term: ScalarTerm(factors: [.log(ScalarForm(constant: Rational(p))): 1]))
    }

    static func primeFactors(_ n: Int) -> [(Int, Int)] {
        var n = abs(n), p = 2, out: [(Int, Int)] = []
        while p * p <= n {
            var e = 0
            while n % p == 0 { n /= p; e += 1 }
            if e > 0 { out.append((p, e)) }
            p += 1
        }
        if n > 1 { out.append((n, 1)) }
        return out
    }

    // MARK: - Powers

    /// `self ^ exponent`: integer powers expand; other powers of a positive base are
    /// `exp(exponent · log base)`; anything else is a `power` atom.
    public func raised(to exponent: ScalarForm, context: ScalarContext) -> ScalarForm {
        if let r = exponent.constantValue {
            if r.isInteger { return integerPower(r.numerator) }
            if isZero, r > .zero { return .zero }
        }
        if self == .one { return .one }
        if context.isPositive(self) { return (exponent * logarithm(context: context)).exponential() }
        return ScalarForm(term: ScalarTerm(factors: [.power(self, exponent): 1]))
    }

    // MARK: - Common denominators

    /// `self = N · Π S_k^{-E_k}` over the reciprocal atoms of the sum, with common factors of
    /// N and S_k cancelled by exact division; nil when the form holds no reciprocal of a sum.
    func together() -> (numerator: ScalarForm, denominators: [(ScalarForm, Int)])? {
        var atoms: [ScalarForm] = []
        var seen = Set<ScalarForm>()
        for (t, _) in terms {
            for (a, n) in t.factors where n > 0 {
                if case .inverse(let s) = a, t.range == nil || !a.hasFreeComponents, !seen.contains(s) {
                    seen.insert(s); atoms.append(s)
                }
            }
        }
        if atoms.isEmpty { return nil }
        atoms.sort { $0.description < $1.description }
        var numerator = self
        var dens: [(ScalarForm, Int)] = []
        for s in atoms {
            let inv = ScalarAtom.inverse(s)
            func exponent(_ t: ScalarTerm) -> Int { t.range == nil || !inv.hasFreeComponents ? t.factors[inv] ?? 0 : 0 }
            let e = numerator.terms.keys.map(exponent).max() ?? 0
            if e <= 0 { continue }
            let largest = numerator.terms.keys.map { e - exponent($0) }.max() ?? 0
            if numerator.terms.count * ScalarForm.expandedTermCount(s.terms.count, largest) > ScalarForm.expansionLimit {
                return nil
            }
            var acc = ScalarForm.zero
            for (t, c) in numerator.terms {
                var f = t.factors
                let k = exponent(t)
                if k != 0 { f[inv] = nil }
                acc = acc + c * (ScalarForm.canonical(range: t.range, factors: f) * s.power(e - k))
            }
            var remaining = e
            while remaining > 0, let q = acc.dividedExactly(by: s) { acc = q; remaining -= 1 }
            numerator = acc
            if remaining > 0 { dens.append((s, remaining)) }
        }
        return (numerator, dens)
    }

    /// The form over common denominators, `N · Π (1/S_k)^{E_k}` with the common factors of N
    /// and each S_k cancelled by exact division, when that has fewer terms: so
    /// `1 − 1/(1 + e^{−t})` becomes `1/(1 + e^t)` and `(1 + x) · 1/(1 + x)` becomes `1`, while
    /// `a + 1/(1 + b)` stays as written. Idempotent.
    public func combiningReciprocals() -> ScalarForm {
        var best = self
        if let r = overCommonDenominator(), r.terms.count < best.terms.count { best = r }
        if let r = best.apart(), r.terms.count < best.terms.count { best = r }
        return best
    }

    /// `G · (1/S) → Q + R · (1/S)` where `G = Q · S + R` (the terms with one reciprocal power).
    func apart() -> ScalarForm? {
        var changed = false
        var form = self
        var inverses: [ScalarForm] = []
        for (t, _) in terms where t.range == nil {
            for (a, n) in t.factors where n == 1 {
                if case .inverse(let s) = a, !inverses.contains(s) { inverses.append(s) }
            }
        }
        for s in inverses.sorted(by: { $0.description < $1.description }) {
            let inv = ScalarAtom.inverse(s)
            var group = ScalarForm.zero, rest = ScalarForm.zero
            for (t, c) in form.terms {
                if t.range == nil, t.factors[inv] == 1 {
                    var f = t.factors
                    f[inv] = nil
                    group = group + c * ScalarForm.canonical(range: nil, factors: f)
                } else {
                    rest = rest + ScalarForm(term: t, coefficient: c)
                }
            }
            guard let (q, r) = group.divided(by: s), !q.isZero else { continue }
            form = rest + q + r * ScalarForm(term: ScalarTerm(factors: [inv: 1]))
            changed = true
        }
        return changed ? form : nil
    }

    /// `N · Π (1/S_k)^{E_k}` (see `together`), or nil without reciprocals of sums.
    func overCommonDenominator() -> ScalarForm? {
        guard let (n, dens) = together() else { return nil }
        var r = n
        for (s, e) in dens { r = r * ScalarForm(term: ScalarTerm(factors: [.inverse(s): e])) }
        return r
    }

    /// `self / s` when s divides self exactly; nil otherwise.
    func dividedExactly(by s: ScalarForm) -> ScalarForm? {
        guard let (q, r) = divided(by: s), r.isZero else { return nil }
        return q
    }

    /// Division with remainder, `self = q · s + r`, in a term order compatible with products:
    /// quotient terms are taken while they stay at or above `trail(self) / trail(s)` (below
    /// it no exact division can continue). Nil when the division cannot be carried out.
    func divided(by s: ScalarForm) -> (quotient: ScalarForm, remainder: ScalarForm)? {
        guard !s.isZero, !isZero else { return isZero ? (.zero, .zero) : nil }
        let plain: (ScalarForm) -> Bool = { f in f.terms.keys.allSatisfy { !$0.factors.keys.contains { $0.isSum } } }
        guard plain(self), plain(s) else { return nil }
        if let (t, _) = s.singleTerm, t.range == nil { return (self * ScalarForm.invert(s), .zero) }
        guard let (lead, lc) = s.leadingTerm, let (trail, _) = s.trailingTerm,
              let (selfTrail, _) = trailingTerm else { return nil }
        let leadVector = lead.exponentVector
        let lowest = ScalarForm.difference(selfTrail.exponentVector, trail.exponentVector)
        let leadInverse = lead.range == nil ? ScalarForm.invert(ScalarForm(term: lead, coefficient: lc)) : .zero
        var r = self, q = ScalarForm.zero, steps = 0
        let limit = 4 * (terms.count + 2) * (s.terms.count + 1)
        while !r.isZero {
            steps += 1
            if steps > limit { return nil }
            guard let (g, gc) = r.leadingTerm else { return nil }
            if ScalarForm.compare(ScalarForm.difference(g.exponentVector, leadVector), lowest) < 0 { break }
            let step: ScalarForm
            if let d = lead.range {
                // Σ_j m·a_j / Σ_j a_j = m for an index-free m.
                guard g.range == d else { break }
                let ratio = ScalarForm.merged(g.factors, lead.factors.mapValues { -$0 })
                guard !ratio.keys.contains(where: { $0.hasFreeComponents }) else { break }
                step = (gc / lc) * ScalarForm.canonical(range: nil, factors: ratio)
            } else {
                step = ScalarForm(term: g, coefficient: gc) * leadInverse
            }
            q = q + step
            r = r - step * s
            // Stop before coefficients grow large (Int overflow traps).
            if !r.hasSmallCoefficients || !q.hasSmallCoefficients { return nil }
        }
        return (q, r)
    }

    /// Whether every coefficient has numerator and denominator below 2^24 (so that products
    /// of a few of them stay far from overflow).
    var hasSmallCoefficients: Bool {
        terms.values.allSatisfy { abs($0.numerator) < 1 << 24 && $0.denominator < 1 << 24 }
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
            let c = ctx == nil ? lc : lc.magnitude
            core = (Rational.one / c) * core
            factor = c * factor
        }
        return (factor, core)
    }

    // MARK: - A term order compatible with products

    /// The largest term in an order on monomials that is compatible with multiplication
    /// (lexicographic on exponent vectors, an exponential contributing its argument).
    var leadingTerm: (ScalarTerm, Rational)? {
        var best: (ScalarTerm, Rational, [(String, Rational)])? = nil
        for (t, c) in terms {
            let v = t.exponentVector
            if best == nil || ScalarForm.compare(v, best!.2) > 0 { best = (t, c, v) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// The smallest term in the same order.
    var trailingTerm: (ScalarTerm, Rational)? {
        var best: (ScalarTerm, Rational, [(String, Rational)])? = nil
        for (t, c) in terms {
            let v = t.exponentVector
            if best == nil || ScalarForm.compare(v, best!.2) < 0 { best = (t, c, v) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// `a − b` for sorted sparse exponent vectors.
    static func difference(_ a: [(String, Rational)], _ b: [(String, Rational)]) -> [(String, Rational)] {
        var out: [String: Rational] = [:]
        for (k, v) in a { out[k] = (out[k] ?? .zero) + v }
        for (k, v) in b { out[k] = (out[k] ?? .zero) - v }
        return out.filter { !$0.value.isZero }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
    }

    static func compare(_ a: [(String, Rational)], _ b: [(String, Rational)]) -> Int {
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && a[i].0 < b[j].0) { return a[i].1 > .zero ? 1 : -1 }
            if i >= a.count || b[j].0 < a[i].0 { return b[j].1 > .zero ? -1 : 1 }
            if a[i].1 != b[j].1 { return a[i].1 > b[j].1 ? 1 : -1 }
            i += 1; j += 1
        }
        return 0
    }
}

extension ScalarTerm {
    /// Sorted sparse exponent vector used by the term order.
    var exponentVector: [(String, Rational)] {
        var v: [(String, Rational)] = []
        if let d = range { v.append(("Σ\(d)", .one)) }
        for (a, n) in factors {
            if case .exp(let arg) = a {
                for (t, c) in arg.terms { v.append(("e:" + t.key, c)) }
            } else {
                v.append((a.description, Rational(n)))
            }
        }
        return v.sorted { $0.0 < $1.0 }
    }
}
