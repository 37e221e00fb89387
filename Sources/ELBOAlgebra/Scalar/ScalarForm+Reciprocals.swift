/// Reciprocals of sums: common denominators, exact division, and the term order division uses.
extension ScalarForm {
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
            // Stop before coefficients grow large (the division would cost more than it finds).
            if !r.hasSmallCoefficients || !q.hasSmallCoefficients { return nil }
        }
        return (q, r)
    }

    /// Whether every coefficient has numerator and denominator below 2^24 (an exact division
    /// whose coefficients grow past that is not going to end in a short quotient).
    var hasSmallCoefficients: Bool {
        terms.values.allSatisfy { $0.bitWidth <= 24 }
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
