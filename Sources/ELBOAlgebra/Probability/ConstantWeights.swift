/// Non-negative decompositions whose weights are polynomials in constants: the difference
/// `b · KL(q || p)` (b > 0), `(beta − 1) · KL` (beta ≥ 1) or `b² · KL` (any real b).
///
/// The difference is split by the constants' monomials: `d = Σ_w w · d_w`, where w ranges
/// over products of scalar `param`s and each `d_w` is free of them. Each `d_w` is solved
/// against the same candidates exactly (`d_w = Σ_k λ_{k,w} T_k`, λ of any sign), and the
/// weight of `T_k` is `W_k = Σ_w λ_{k,w} · w`, which must have a scalar non-negativity
/// certificate under the declared bounds. The kernel rebuilds `Σ W_k · T_k` and compares it
/// with the difference, so the split is a search and proves nothing by itself.
extension NonNegativityProver {
    /// Terms `W_k · T_k` adding up to `target`, each `W_k ≥ 0` a polynomial in constants or a
    /// number; nil when no such decomposition is found.
    public static func decomposeWithConstantWeights(_ target: NormalForm, into candidates: [Candidate],
                                                    normalizer: inout Normalizer) -> [DecompositionTerm]? {
        guard !candidates.isEmpty else { return nil }
        var constants = Set(normalizer.context.declarations.params.filter { $0.shape.isEmpty }.map(\.name))
        // A constant inside a candidate term is not a weight of it.
        for c in candidates {
            for m in c.form.terms.keys { for case .scalar(_, let e, _) in m.logs { constants.subtract(e.symbols) } }
        }
        guard !constants.isEmpty else { return nil }
        var log = RuleLog()
        log.recording = false
        var groups: [ScalarTerm: NormalForm] = [:]
        for (m, c) in target.terms {
            let (w, base) = split(m, constants: constants, normalizer: &normalizer, log: &log)
            groups[w, default: .zero] = groups[w, default: .zero] + c * base
        }
        guard groups.keys.contains(where: { !$0.factors.isEmpty }) else { return nil }
        var weights = [[ScalarTerm: Rational]](repeating: [:], count: candidates.count)
        for (w, rhs) in groups where !rhs.isZero {
            // A non-negative solution where there is one (the order of the candidates follows
            // hash order, and only the non-negative search is independent of it); else any.
            guard let lambda = solveNonNegative(rhs, candidates) ?? solve(rhs, candidates) else { return nil }
            for (k, l) in lambda.enumerated() where !l.isZero { weights[k][w, default: .zero] = weights[k][w, default: .zero] + l }
        }
        var out: [DecompositionTerm] = []
        for (k, cand) in candidates.enumerated() {
            let form = ScalarForm(terms: weights[k])
            if form.isZero { continue }
            if let r = form.constantValue {
                guard r > .zero else { return nil }
                out.append(cand.term(weight: r))
                continue
            }
            guard let rules = ScalarNormalizer.nonNegativityCertificate(form, context: normalizer.scalarContext) else { return nil }
            var term = cand.term(weight: .one)
            term.factor = form.toExpr()
            term.factorRules = rules
            out.append(term)
        }
        return out
    }

    /// The monomial `m` as `w · base`: w the constants' factors of its scalar atom, base the
    /// rest (a normal form, since the remaining scalar factor is rebuilt canonically).
    static func split(_ m: Monomial, constants: Set<String>, normalizer: inout Normalizer,
                      log: inout RuleLog) -> (ScalarTerm, NormalForm) {
        let scalars = m.logs.compactMap { l -> Expr? in if case .scalar(_, let e, _) = l { return e } else { return nil } }
        let whole = NormalForm([m: .one])
        guard scalars.count == 1,
              let form = try? ScalarNormalizer.normalize(scalars[0], context: normalizer.scalarContext, rules: &log),
              let (t, coefficient) = form.singleTerm else { return (.one, whole) }
        var w: [ScalarAtom: Int] = [:], rest = t.factors
        for (a, n) in t.factors where n > 0 {
            if case .symbol(let s) = a, constants.contains(s) { w[a] = n; rest[a] = nil }
        }
        guard !w.isEmpty else { return (.one, whole) }
        let others = m.logs.filter { if case .scalar = $0 { return false } else { return true } }
        let restForm = coefficient * ScalarForm.canonical(range: t.range, factors: rest)
        var base = NormalForm.zero
        for (sm, sc) in normalizer.normalForm(of: restForm).terms {
            base = base + NormalForm([Monomial(measure: m.measure, logs: others + sm.logs, bound: m.bound): sc])
        }
        return (ScalarTerm(factors: w), base)
    }
}
