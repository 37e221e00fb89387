/// One-hot components of `label` variables (rule `one-hot`): for a label y with C classes,
/// `y_c = [y = c]`, so within a sum over its classes `y_c^n = y_c` and `Σ_c y_c · A = A` when
/// A does not depend on c (exactly one component is one). Applied to the terms of a finished
/// form; components inside other atoms (a log, a nested sum) are left as they are.
extension ScalarForm {
    /// The form with the one-hot laws applied to its ranged terms.
    func reducingOneHot(_ ctx: ScalarContext, rules: inout RuleLog) -> ScalarForm {
        guard !ctx.labels.isEmpty else { return self }
        var out = ScalarForm.zero
        var changed = false
        for (t, c) in terms {
            guard let d = t.range else { out = out + ScalarForm(term: t, coefficient: c); continue }
            let labels = t.factors.keys.compactMap { a -> String? in
                if case .component(let y) = a, ctx.labels.contains(y), ctx.dimensions[y] == d { return y }
                return nil
            }.sorted()
            guard let y = labels.first else { out = out + ScalarForm(term: t, coefficient: c); continue }
            var factors = t.factors
            factors[.component(y)] = 1
            var rest = factors
            rest[.component(y)] = nil
            changed = true
            if !rest.keys.contains(where: { $0.hasFreeComponents }) {
                // Σ_c [y = c] · A = A.
                out = out + c * ScalarForm.canonical(range: nil, factors: rest)
            } else {
                out = out + c * ScalarForm.canonical(range: d, factors: factors)
            }
        }
        if changed && out != self { rules.use(.oneHot) }
        return out
    }
}
