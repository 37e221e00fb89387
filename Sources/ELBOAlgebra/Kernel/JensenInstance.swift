/// KL convexity in its second argument for finite mixtures (Jensen for `log Σ_i w_i q_i`):
/// `KL(P || Σ_i w_i N_i) ≤ Σ_i w_i KL(P || N_i)` when the weights are a mixture's (non-negative,
/// summing to one, as a `MixtureNormal` family's weights are).
///
/// The lemma applies wherever the smaller side contains `KL(P || Q)` with Q a density of a
/// `MixtureNormal(W, M, V; K)` family, and the larger side is the smaller one with that KL
/// replaced by `Σ_{i=1}^{K} W_i KL(P || N(v; M_i, V_i))` (any index name).
enum MixtureJensen {
    /// Whether the step `smaller ≤ larger` is an instance of the rule `jensen` (the statement is
    /// matched, nothing is searched beyond the sub-terms of the two sides).
    static func applies(smaller: Expr, larger: Expr, declarations: Declarations) -> Bool {
        for case .kl(let p, let q) in smaller.allSubexpressions {
            guard case .density(let d) = q, d.variables.count == 1, let v = d.variables.first,
                  let fam = declarations.families.first(where: {
                      $0.density.joint == d.joint && $0.density.variables == d.variables && Set($0.density.given) == Set(d.given)
                  }), case .mixtureNormal(let w, let m, let s, let k) = fam.kind,
                  case .symbol(let wn) = w, case .symbol(let mn) = m, case .symbol(let sn) = s else { continue }
            for case .indexedSum(let i, let from, let to, let body) in larger.allSubexpressions
                where from == .int(1) && to == k {
                let component = Expr.normalDensity(point: .symbol(v), mean: .component(mn, index: i),
                                                   variance: .component(sn, index: i))
                let expected = Expr.mul([.component(wn, index: i), .kl(p, component)])
                guard body == expected else { continue }
                let replaced = smaller.rewritten { $0 == .kl(p, q) ? Expr.indexedSum(index: i, from: from, to: to, body: body) : nil }
                if replaced == larger { return true }
            }
        }
        return false
    }
}
