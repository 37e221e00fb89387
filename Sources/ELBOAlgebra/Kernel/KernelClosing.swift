/// The closing checks of the kernel, in exact arithmetic over the oracle's normal forms.
extension Kernel {
    static func checkClosing<O: KernelOracle>(_ c: Certificate, oracle: inout O) throws {
        if case .mixtureJensen(let kl, let index) = c.closing {
            guard c.relation == .lessOrEqual || c.relation == .greaterOrEqual else {
                throw KernelRejection("jensen closes only an inequality")
            }
            let (small, large) = c.relation == .lessOrEqual ? (c.lhs, c.rhs) : (c.rhs, c.lhs)
            guard case .kl = kl, small.allSubexpressions.contains(kl),
                  large.allSubexpressions.contains(where: { if case .indexedSum(index, _, _, _) = $0 { return true } else { return false } }),
                  MixtureJensen.applies(smaller: small, larger: large, declarations: oracle.declarations) else {
                throw KernelRejection("the step is not an instance of jensen at \(kl) over \(index)")
            }
            return
        }
        guard let l = oracle.normalForm(of: c.lhs) else { throw KernelRejection("the left side has no normal form") }
        guard let r = oracle.normalForm(of: c.rhs) else { throw KernelRejection("the right side has no normal form") }
        switch c.closing {
        case .sameNormalForm:
            guard c.relation == .equal || c.relation == .equalUpToConstant || c.relation == .proportional else {
                throw KernelRejection("same-normal-form closes an inequality")
            }
            guard (l - r).isZero else { throw KernelRejection("the normal forms of the two sides differ") }
        case .constantDropped(let scale):
            guard c.relation == .equalUpToConstant || c.relation == .proportional else {
                throw KernelRejection("a dropped constant closes only ≃ or ∝")
            }
            guard scale > .zero, c.relation == .proportional || scale == .one else {
                throw KernelRejection("the scale \(scale) is not allowed for \(c.relation)")
            }
            guard oracle.isFreeOfLearnables(l - scale * r) else {
                throw KernelRejection("the sides differ by a term with learnable quantities")
            }
        case .decomposition(let terms):
            let d = try difference(c, l, r)
            var sum = NormalForm.zero
            for t in terms {
                guard !(t.weight < .zero) else { throw KernelRejection("the weight \(t.weight) of \(t.label) is negative") }
                var term = try nonNegativeTerm(t, c, oracle: &oracle)
                if let factor = t.factor {
                    let w = try constantWeight(factor, rules: t.factorRules, label: t.label, oracle: &oracle)
                    guard let p = oracle.product(w, term) else { throw KernelRejection("\(t.label): the weighted term has no normal form") }
                    term = p
                }
                sum = sum + t.weight * term
            }
            guard (sum - d).isZero else {
                throw KernelRejection("the weighted terms do not add up to the difference of the sides")
            }
        case .scalarNonNegative(let rules):
            let d = try difference(c, l, r)
            guard d.terms.keys.allSatisfy({ $0.measure.isEmpty && $0.bound.isEmpty && $0.logs.allSatisfy {
                if case .scalar = $0 { return true } else { return false } } }) else {
                throw KernelRejection("the scalar certificate applies only to a scalar difference")
            }
            guard let found = oracle.scalarCertificate(of: d), Set(found) == Set(rules) else {
                throw KernelRejection("the scalar difference has no non-negativity certificate with rules \(rules.map(\.rawValue))")
            }
            if rules.contains(.constantBound) {
                var mentioned = Set<String>()
                for m in d.terms.keys { for case .scalar(_, let e, _) in m.logs { mentioned.formUnion(e.symbols) } }
                guard oracle.declarations.params.contains(where: { $0.bound != nil && mentioned.contains($0.name) }) else {
                    throw KernelRejection("constant-bound is used but no constant of the difference has a declared bound")
                }
            }
        case .mixtureJensen:
            break
        }
    }

    /// The normal form of a decomposition weight that is a polynomial in constants, after its
    /// side conditions: only scalar `param`s (no variable, no family parameter), and the scalar
    /// certificate of `W ≥ 0` (under the declared bounds) has exactly the rules stated.
    static func constantWeight<O: KernelOracle>(_ factor: Expr, rules: [Rule], label: String, oracle: inout O) throws -> NormalForm {
        let constants = Set(oracle.declarations.params.filter { $0.shape.isEmpty }.map(\.name))
        guard !factor.containsProbability, factor.symbols.isSubset(of: constants) else {
            throw KernelRejection("\(label): the weight \(factor) is not a polynomial in scalar params")
        }
        guard let w = oracle.normalForm(of: factor), w.terms.keys.allSatisfy({ $0.measure.isEmpty && $0.bound.isEmpty }) else {
            throw KernelRejection("\(label): the weight \(factor) has no scalar normal form")
        }
        guard let found = oracle.scalarCertificate(of: w), Set(found) == Set(rules) else {
            throw KernelRejection("\(label): the weight \(factor) has no non-negativity certificate with rules \(rules.map(\.rawValue))")
        }
        if rules.contains(.constantBound) || found.isEmpty {
            // Non-negative by a declared bound (`b > 0`, `beta ≥ 1`), not by squares alone.
            guard oracle.declarations.params.contains(where: { $0.bound != nil && factor.symbols.contains($0.name) }) else {
                throw KernelRejection("\(label): the weight \(factor) uses a bound no constant of it declares")
            }
        }
        return w
    }

    /// `nf(larger) − nf(smaller)` of an inequality.
    static func difference(_ c: Certificate, _ l: NormalForm, _ r: NormalForm) throws -> NormalForm {
        switch c.relation {
        case .greaterOrEqual: return l - r
        case .lessOrEqual: return r - l
        default: throw KernelRejection("a non-negative combination closes only an inequality")
        }
    }

    /// The normal form of a term of a decomposition, rebuilt from its instance by the
    /// statement of its rule, after the rule's side conditions are checked.
    static func nonNegativeTerm<O: KernelOracle>(_ t: DecompositionTerm, _ c: Certificate, oracle: inout O) throws -> NormalForm {
        switch (t.rule, t.instance) {
        case (.klNonNegative, .written(let e)):
            // KL(P || Q) ≥ 0 for normalised P, Q written in the step.
            guard case .kl = e, c.lhs.allSubexpressions.contains(e) || c.rhs.allSubexpressions.contains(e) else {
                throw KernelRejection("\(t.label) is not a KL divergence of the step")
            }
            guard let f = oracle.normalForm(of: e) else { throw KernelRejection("\(t.label) has no normal form") }
            return f
        case (.entropyNonNegativeDiscrete, .written(let e)):
            guard case .entropy(let p) = e, c.lhs.allSubexpressions.contains(e) || c.rhs.allSubexpressions.contains(e),
                  let vars = oracle.leftVariables(of: p), vars.allSatisfy(oracle.isDiscrete) else {
                throw KernelRejection("\(t.label) is not an entropy of discrete variables in the step")
            }
            guard let f = oracle.normalForm(of: e) else { throw KernelRejection("\(t.label) has no normal form") }
            return f
        case (.klNonNegative, .divergence(let m, let reference)):
            // KL(M || N / Z) = ∫ M (log M − log N) + log Z for a normalised M over its bound
            // variables, a product N of densities and Z = ∫ N over the same variables.
            try requireNormalised(m, oracle: &oracle, t)
            let z = oracle.canonical(Monomial(measure: reference, bound: m.bound))
            guard z.bound.isEmpty, z.logs.isEmpty else { throw KernelRejection("\(t.label): ∫ N is not a product of densities") }
            var f = expectedLogRatio(m, minus: reference, oracle: &oracle)
            for (a, e) in z.measure { f = f + NormalForm([Monomial(logs: [.density(a)]): Rational(e)]) }
            return f
        case (.entropyNonNegativeDiscrete, .discreteEntropy(let m)):
            // −∫ M log M ≥ 0 for a normalised mass function M over discrete variables.
            guard m.bound.allSatisfy(oracle.isDiscrete) else { throw KernelRejection("\(t.label) is over continuous variables") }
            guard m.measure.values.allSatisfy({ $0 > 0 }) else { throw KernelRejection("\(t.label) is not a measure") }
            try requireNormalised(m, oracle: &oracle, t)
            return -expectedLogRatio(m, minus: [:], oracle: &oracle)
        default:
            throw KernelRejection("\(t.rule.rawValue) does not state that \(t.label) is non-negative")
        }
    }

    static func requireNormalised<O: KernelOracle>(_ m: Monomial, oracle: inout O, _ t: DecompositionTerm) throws {
        guard !m.bound.isEmpty, m.logs.isEmpty, m.measure.values.allSatisfy({ $0 > 0 }) else {
            throw KernelRejection("\(t.label): the measure is not a product of densities integrated over its variables")
        }
        let total = oracle.canonical(m)
        guard total.measure.isEmpty, total.bound.isEmpty, total.logs.isEmpty else {
            throw KernelRejection("\(t.label): the measure is not normalised")
        }
    }

    /// `∫ M (log M − log N)`, expanded: `Σ_b (M_b − N_b) · ∫ M log b`, each monomial canonical.
    static func expectedLogRatio<O: KernelOracle>(_ m: Monomial, minus n: [ComponentAtom: Int], oracle: inout O) -> NormalForm {
        var out = NormalForm.zero
        for b in Set(m.measure.keys).union(n.keys) {
            let e = (m.measure[b] ?? 0) - (n[b] ?? 0)
            guard e != 0 else { continue }
            let mono = oracle.canonical(Monomial(measure: m.measure, logs: [.density(b)], bound: m.bound))
            out = out + NormalForm([mono: Rational(e)])
        }
        return out
    }
}
