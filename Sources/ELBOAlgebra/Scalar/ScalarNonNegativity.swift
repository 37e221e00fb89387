/// Simple certificates that a scalar form is non-negative:
///
/// - `square-nonnegative`: grouped by range and by a non-negative weight (reciprocals of
///   positive atoms, exponentials), the rest is a positive semidefinite quadratic form in its
///   atoms (checked by an exact LDLᵀ), or every term is a positive multiple of even powers
///   and positive atoms;
/// - `x-minus-1-minus-log-x`: `w · (P − 1 − log P) ≥ 0` for a positive monomial P and a
///   non-negative weight w, subtracted greedily (this is the summand of every Gaussian KL:
///   `exp(s) − 1 − s`, `v1/v2 − 1 − log(v1/v2)`).
extension ScalarNormalizer {
    /// Whether `f ≥ 0` has a certificate (see above).
    public static func isNonNegative(_ f: ScalarForm, context: ScalarContext = ScalarContext()) -> Bool {
        nonNegativityCertificate(f, context: context) != nil
    }

    /// The rules of a certificate that `f ≥ 0`, or nil when none is found.
    public static func nonNegativityCertificate(_ f: ScalarForm, context ctx: ScalarContext) -> [Rule]? {
        if let r = unboundedCertificate(f, context: ctx) { return r }
        // Declared bounds of constants: `beta ≥ 1` read as `beta = 1 + t`, `t ≥ 0`.
        let bounded = f.boundedSymbols(ctx)
        guard !bounded.isEmpty else { return nil }
        let (shifted, next) = f.substitutingBounds(bounded, context: ctx)
        guard let r = unboundedCertificate(shifted, context: next) else { return nil }
        return (r + [.constantBound]).sortedUnique
    }

    /// A certificate that does not use the declared bounds of constants.
    static func unboundedCertificate(_ f: ScalarForm, context ctx: ScalarContext) -> [Rule]? {
        if f.isZero { return [] }
        if let r = NonNegativity(ctx: ctx).certificate(f) { return r }
        var remainder = f
        var used = false
        let nn = NonNegativity(ctx: ctx)
        for cand in nn.gapCandidates(f) {
            let next = remainder - cand
            if let r = nn.certificate(next) { return (r + [.logConvexity]).sortedUnique }
            if nn.badCount(next) < nn.badCount(remainder) { remainder = next; used = true }
        }
        guard used, let r = nn.certificate(remainder) else { return nil }
        return (r + [.logConvexity]).sortedUnique
    }
}

private extension Array where Element == Rule {
    var sortedUnique: [Rule] { Array(Set(self)).sorted() }
}

struct NonNegativity {
    let ctx: ScalarContext

    /// `c · w · (P − 1 − log P)` for each positive term `c · w · P`.
    func gapCandidates(_ f: ScalarForm) -> [ScalarForm] {
        var out: [ScalarForm] = []
        for (t, c) in f.sortedTerms where c > .zero {
            var p: [ScalarAtom: Int] = [:], w: [ScalarAtom: Int] = [:]
            for (a, n) in t.factors { if ctx.isPositive(a) { p[a] = n } else { w[a] = n } }
            guard !p.isEmpty, w.values.allSatisfy({ $0 % 2 == 0 }) else { continue }
            var choices = [p]
            if p.count > 1, let e = p.first(where: { $0.key.isExp }) { choices.append([e.key: e.value]) }
            for choice in choices {
                var weight = w
                for (a, n) in p where choice[a] == nil { weight[a] = n }
                let pForm = ScalarForm.canonical(range: nil, factors: choice)
                let body = c * ScalarForm.canonical(range: nil, factors: weight)
                    * (pForm - .one - pForm.logarithm(context: ctx))
                out.append(t.range.map { ScalarForm.sigma($0, body) } ?? body)
            }
        }
        return out
    }

    func triviallyNonNegative(_ c: Rational, _ factors: [ScalarAtom: Int]) -> Bool {
        c > .zero && factors.allSatisfy { a, n in n % 2 == 0 || (n > 0 ? ctx.isNonNegative(a) : ctx.isPositive(a)) }
    }

    func badCount(_ f: ScalarForm) -> Int {
        f.terms.filter { !triviallyNonNegative($0.value, $0.key.factors) }.count
    }

    struct Entry { var range: Dimension?; var factors: [ScalarAtom: Int]; var coefficient: Rational }

    /// A certificate without gap terms, or nil.
    func certificate(_ f: ScalarForm) -> [Rule]? {
        let ranges = Set(f.terms.keys.compactMap(\.range))
        // `D · X` is `Σ_{j≤D} X`: lets constants join the summands of a sum over D.
        var entries: [Entry] = []
        for (t, c) in f.terms {
            var e = Entry(range: t.range, factors: t.factors, coefficient: c)
            if t.range == nil {
                for case .symbol(let s) in ranges where (t.factors[.symbol(s)] ?? 0) >= 1 {
                    e.factors[.symbol(s)]! -= 1
                    if e.factors[.symbol(s)] == 0 { e.factors[.symbol(s)] = nil }
                    e.range = .symbol(s)
                    break
                }
            }
            entries.append(e)
        }
        // Group by range and weight.
        var groups: [String: [(Rational, [ScalarAtom: Int])]] = [:]
        for e in entries {
            var weight: [ScalarAtom: Int] = [:], vars: [ScalarAtom: Int] = [:]
            for (a, n) in e.factors { if n < 0 || a.isExp { weight[a] = n } else { vars[a] = n } }
            guard weight.allSatisfy({ a, n in n % 2 == 0 || ctx.isPositive(a) }) else { return nil }
            let key = "\(e.range.map(\.description) ?? "-")|" + ScalarTerm(factors: weight).key
            groups[key, default: []].append((e.coefficient, vars))
        }
        var rules: [Rule] = []
        for (_, members) in groups {
            if members.allSatisfy({ triviallyNonNegative($0.0, $0.1) }) {
                if members.contains(where: { $0.1.values.contains { $0 % 2 == 0 } }) { rules.append(.squareNonNegative) }
                continue
            }
            let quadratic = members.filter { $0.1.values.reduce(0, +) <= 2 }
            let higher = members.filter { $0.1.values.reduce(0, +) > 2 }
            guard higher.allSatisfy({ triviallyNonNegative($0.0, $0.1) }) else { return nil }
            let nontrivial = quadratic.filter { !triviallyNonNegative($0.0, $0.1) }
            if isPositiveSemidefinite(quadratic) || isPositiveSemidefinite(nontrivial) {
                rules.append(.squareNonNegative)
            } else {
                return nil
            }
        }
        return rules
    }

    /// Whether `Σ c · m` (each m of degree ≤ 2) is a positive semidefinite quadratic form in
    /// `(1, atoms…)`.
    func isPositiveSemidefinite(_ members: [(Rational, [ScalarAtom: Int])]) -> Bool {
        var atoms: [ScalarAtom] = []
        for (_, m) in members { for a in m.keys where !atoms.contains(a) { atoms.append(a) } }
        let n = atoms.count + 1
        var q = Array(repeating: Array(repeating: Rational.zero, count: n), count: n)
        func index(_ a: ScalarAtom) -> Int { atoms.firstIndex(of: a)! + 1 }
        for (c, m) in members {
            let pairs = m.flatMap { a, k in Array(repeating: index(a), count: k) }
            switch pairs.count {
            case 0: q[0][0] = q[0][0] + c
            case 1:
                q[0][pairs[0]] = q[0][pairs[0]] + c * .half
                q[pairs[0]][0] = q[pairs[0]][0] + c * .half
            default:
                let (i, j) = (pairs[0], pairs[1])
                if i == j { q[i][i] = q[i][i] + c } else {
                    q[i][j] = q[i][j] + c * .half
                    q[j][i] = q[j][i] + c * .half
                }
            }
        }
        for k in 0..<n {
            if q[k][k] < .zero { return false }
            if q[k][k].isZero {
                if (k + 1..<n).contains(where: { !q[k][$0].isZero }) { return false }
                continue
            }
            for i in (k + 1)..<max(k + 1, n) {
                let factor = q[i][k] / q[k][k]
                if factor.isZero { continue }
                for j in k..<n { q[i][j] = q[i][j] - factor * q[k][j] }
            }
        }
        return true
    }
}
