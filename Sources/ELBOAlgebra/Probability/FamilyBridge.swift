/// The bridge between the probability level and the scalar level: scalar sub-expressions as
/// canonical scalar terms, family log-densities expanded into scalar forms, Gaussian
/// expectations of polynomial integrands taken by moments, and `N(v; m, V)` over a declared
/// variable read as a density (the declared factor whose family it is, or a synthetic one).
extension Normalizer {
    /// The family declared for a factor: same joint and children, preferring the same parents.
    public func family(of id: FactorID) -> FamilyKind? {
        if let k = syntheticFamilies[id] { return k }
        guard let f = context.factors[id] else { return nil }
        let candidates = context.declarations.families.filter {
            $0.density.joint == id.joint && Set($0.density.variables) == f.children
        }
        return (candidates.first { Set($0.density.given) == f.parents } ?? candidates.first)?.kind
    }

    /// The scalar log-density of a family at its variable, or nil when it has none we expand.
    func familyLogDensity(_ kind: FamilyKind, variable v: String) -> Expr? {
        let j = "j"
        let dim: Expr
        switch context.declarations.variable(v)?.type.dimension {
        case .symbol(let s): dim = .symbol(s)
        case .value(let n): dim = .int(n)
        case nil: return nil
        }
        switch kind {
        case .normal(let m, let s):
            return .log(.normalDensity(point: .symbol(v), mean: m, variance: s))
        case .bernoulliLogits(let f):
            let body = Expr.subtract(.mul([.component(v, index: j), f.componentwise(j)]),
                                     .log(.add([.int(1), .exp(f.componentwise(j))])))
            return .indexedSum(index: j, from: .int(1), to: dim, body: body)
        case .bernoulli(let p):
            let body = Expr.add([.mul([.component(v, index: j), .log(p.componentwise(j))]),
                                 .mul([.subtract(.int(1), .component(v, index: j)), .log(.subtract(.int(1), p.componentwise(j)))])])
            return .indexedSum(index: j, from: .int(1), to: dim, body: body)
        case .categoricalLogits(let g):
            // Σ_c y_c g_c − log Σ_c exp(g_c), y_c the one-hot component [y = c].
            let c = "c"
            let score = Expr.indexedSum(index: c, from: .int(1), to: dim, body: .mul([.component(v, index: c), g.componentwise(c)]))
            let normaliser = Expr.log(.indexedSum(index: c, from: .int(1), to: dim, body: .exp(g.componentwise(c))))
            return .subtract(score, normaliser)
        case .categorical, .mixtureNormal, .delta:
            return nil
        }
    }

    /// A canonical scalar expression as a normal form: one monomial per scalar term.
    mutating func scalarForm(_ e: Expr) -> NormalForm {
        let form: ScalarForm
        do { form = try ScalarNormalizer.normalize(e, context: scalarContext, rules: &rules) } catch {
            // An undefined term or a limit is remembered: the prover must not compare forms
            // built around it (`log(-1) − log(-1)` would cancel).
            if let s = error as? ScalarNormalizationError {
                switch s {
                case .undefined, .beyondLimit: refusals.append(s)
                case .notScalar, .unsupported: break
                }
            }
            let free = e.symbols.intersection(declaredVariables).sorted()
            return NormalForm([Monomial(logs: [.scalar(key: "opaque:\(e)", expr: e, free: free)]): .one])
        }
        return normalForm(of: form)
    }

    /// Splits a scalar form into monomials with one scalar atom each.
    func normalForm(of form: ScalarForm) -> NormalForm {
        var out: [Monomial: Rational] = [:]
        for (term, c) in form.terms {
            if term == .one { out[.one, default: .zero] = out[.one, default: .zero] + c; continue }
            let single = ScalarForm(terms: [term: .one])
            let free = single.freeVariables(context: scalarContext).intersection(declaredVariables).sorted()
            let m = Monomial(logs: [.scalar(key: single.description, expr: single.toExpr(), free: free)])
            out[m, default: .zero] = out[m, default: .zero] + c
        }
        return NormalForm(out)
    }

    /// Multiplies the scalar atoms of a monomial into one scalar form (a product of sums may
    /// give several terms): returns the monomials it becomes with their coefficients.
    mutating func mergeScalars(_ m: Monomial, _ c: Rational) -> [(Monomial, Rational)] {
        let scalars = m.logs.compactMap { l -> Expr? in if case .scalar(_, let e, _) = l { return e } else { return nil } }
        guard scalars.count > 1 else { return [(m, c)] }
        let others = m.logs.filter { if case .scalar = $0 { return false } else { return true } }
        // The product of scalar atoms is a derived term, not a node of the step.
        rules.enter("derived")
        defer { rules.leave() }
        guard let form = try? ScalarNormalizer.normalize(.mul(scalars), context: scalarContext, rules: &rules) else {
            return [(m, c)]
        }
        return normalForm(of: form).terms.map { sm, sc in
            (Monomial(measure: m.measure, logs: others + sm.logs, bound: m.bound), c * sc)
        }
    }

    /// Expands the log of single-factor density atoms that have a family into scalar forms.
    mutating func expandingFamilies(_ n: NormalForm) -> NormalForm {
        guard expandFamilies else { return n }
        var out = NormalForm.zero
        for (m, c) in n.terms {
            var factorsOut = NormalForm([Monomial(measure: m.measure, bound: m.bound): c])
            for l in m.logs {
                var piece = NormalForm([Monomial(logs: [l]): .one])
                if case .density(let a) = l, a.marginalized.isEmpty, a.factors.count == 1,
                   let f = context.factors[a.factors[0]], f.children.count == 1, let v = f.children.first,
                   let kind = family(of: a.factors[0]), let e = familyLogDensity(kind, variable: v) {
                    // The family applies to a factor of the density here: a derived term.
                    rules.enter("family:\(f.label)")
                    rules.use(.family, instantiation: f.label)
                    piece = scalarForm(e)
                    rules.leave()
                }
                factorsOut = (try? multiply(factorsOut, piece)) ?? factorsOut
            }
            out = out + factorsOut
        }
        return out
    }

    /// Takes the expectation of a polynomial scalar integrand under a Normal factor that is the
    /// only density of its variable: `E_{N(m, V)}[p(v)]` by Gaussian moments.
    mutating func gaussianMoments(_ m: Monomial, _ c: Rational) -> NormalForm? {
        guard expandFamilies else { return nil }
        // The integrand is a term of a normal form, not a node of the step.
        rules.enter("derived")
        defer { rules.leave() }
        let scalars = m.logs.filter { if case .scalar = $0 { return true } else { return false } }
        guard scalars.count == 1, case .scalar(_, let expr, let scalarFree) = scalars[0] else { return nil }
        for v in m.bound where scalarFree.contains(v) {
            let touching = m.measure.filter { context.freeVariables(of: $0.key).contains(v) }
            guard touching.count == 1, let (atom, k) = touching.first, k == 1, atom.marginalized.isEmpty,
                  atom.factors.count == 1, let f = context.factors[atom.factors[0]], f.children == [v],
                  case .normal(let mean, let variance)? = family(of: atom.factors[0]),
                  !m.logs.contains(where: { l in
                      if case .scalar = l { return false }
                      return free(l).contains(v)
                  }) else { continue }
            guard let form = try? ScalarNormalizer.normalize(expr, context: scalarContext, rules: &rules),
                  let meanForm = try? ScalarNormalizer.normalize(mean, context: scalarContext, rules: &rules),
                  let varForm = try? ScalarNormalizer.normalize(variance, context: scalarContext, rules: &rules),
                  let e = ScalarNormalizer.gaussianExpectation(of: form, over: v, mean: meanForm, variance: varForm,
                                                               context: scalarContext, rules: &rules) else { continue }
            rules.use(.gaussianMoments)
            var measure = m.measure
            measure[atom] = nil
            let others = m.logs.filter { if case .scalar = $0 { return false } else { return true } }
            var out = NormalForm.zero
            for (sm, sc) in normalForm(of: e).terms {
                out = out + NormalForm([Monomial(measure: measure, logs: others + sm.logs, bound: m.bound.filter { $0 != v }): c * sc])
            }
            return out
        }
        return nil
    }

    /// `N(v; mean, variance)` over a declared variable as a density atom: the declared factor
    /// whose family it is, or a synthetic Normal factor.
    mutating func gaussianDensity(point v: String, mean: Expr, variance: Expr) -> NormalForm {
        for fam in context.declarations.families where fam.density.variables == [v] {
            if case .normal(let m, let s) = fam.kind, m == mean, s == variance,
               let f = context.factor(of: fam.density.joint, children: [v]) {
                rules.use(.family)
                return NormalForm([Monomial(measure: [ComponentAtom(factors: [f.id], marginalized: []): 1]): .one])
            }
        }
        var parents = Set<String>()
        for s in mean.symbols.union(variance.symbols) {
            if declaredVariables.contains(s) { parents.insert(s) }
            parents.formUnion(scalarContext.dependencies(of: s).intersection(declaredVariables))
        }
        parents.remove(v)
        let id = context.addSyntheticFactor(children: [v], parents: parents, label: "N(\(v); \(mean), \(variance))")
        syntheticFamilies[id] = .normal(mean: mean, variance: variance)
        return NormalForm([Monomial(measure: [ComponentAtom(factors: [id], marginalized: []): 1]): .one])
    }
}

extension ProbabilityContext {
    /// Adds (or finds) a synthetic factor for a density written as a formula, e.g. `N(z; m, V)`.
    mutating func addSyntheticFactor(children: Set<String>, parents: Set<String>, label: String) -> FactorID {
        let id = FactorID(joint: "𝒩", index: 0, variant: label)
        if factors[id] == nil {
            factors[id] = Factor(id: id, children: children, parents: parents, label: label,
                                 isInputRoot: false, isDeterministic: false)
        }
        return id
    }
}
