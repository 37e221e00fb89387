/// Proves that a normal form is non-negative by writing it as a non-negative combination of
/// terms known to be non-negative: KL divergences (explicit in the step, or recognised from
/// `∫ M log M − ∫ M log N` with N normalised), entropies of discrete variables, and
/// further candidates supplied by the caller (squares, Jensen gaps).
public struct NonNegativityProver {
    /// A term known to be ≥ 0, with the rule that makes it so.
    public struct Candidate {
        public var form: NormalForm
        public var rule: Rule
        public var label: String
        /// What the term is, for the kernel to rebuild: `form = scale · T(instance)`.
        public var instance: NonNegativeInstance
        public var scale: Rational
        public init(form: NormalForm, rule: Rule, label: String, instance: NonNegativeInstance, scale: Rational = .one) {
            self.form = form; self.rule = rule; self.label = label; self.instance = instance; self.scale = scale
        }

        /// The term with weight `lambda` as the kernel reads it.
        public func term(weight lambda: Rational) -> DecompositionTerm {
            DecompositionTerm(rule: rule, instance: instance, weight: lambda * scale, label: label)
        }
    }

    /// Finds λ ≥ 0 with `target = Σ λ_k candidate_k`; returns the candidates used with their
    /// weights, or nil.
    public static func decompose(_ target: NormalForm, into candidates: [Candidate]) -> [(Candidate, Rational)]? {
        if target.isZero { return [] }
        guard let lambda = solveNonNegative(target, candidates) else { return nil }
        return zip(candidates, lambda).filter { !$0.1.isZero }.map { ($0.0, $0.1) }
    }

    /// Some λ with `target = Σ λ_k candidate_k` (of any sign), or nil when there is none:
    /// the basic solution of the reduced system (`reducedSystem`), free unknowns zero.
    static func solve(_ target: NormalForm, _ candidates: [Candidate]) -> [Rational]? {
        guard !candidates.isEmpty, let (rows, n) = reducedSystem(target, candidates) else { return nil }
        return basicSolution(rows, columns: n)
    }

    /// `∫ M (log M − log N) dU` for a measure M (with its bound variables) and a product N of
    /// atoms with exponents: `Σ_b (M_b − N_b) ∫ M log b`, each monomial canonicalised.
    static func expectedLogRatio(under measure: Monomial, minus n: [ComponentAtom: Int],
                                 normalizer: inout Normalizer) -> NormalForm {
        var out = NormalForm.zero
        for b in Set(measure.measure.keys).union(n.keys) {
            let e = (measure.measure[b] ?? 0) - (n[b] ?? 0)
            guard e != 0 else { continue }
            let m = normalizer.canonicalize(Monomial(measure: measure.measure, logs: [.density(b)], bound: measure.bound))
            out = out + NormalForm([m: Rational(e)])
        }
        return out
    }

    static func subsets(of xs: [String]) -> [[String]] {
        guard xs.count <= 6 else { return [xs] }
        return (1..<(1 << xs.count)).map { mask in xs.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element) }
    }

    /// `−∫ M log M ≥ 0` for every normalised measure M over discrete variables only: the
    /// entropy of a probability mass function. (For continuous variables it can be negative,
    /// so no such candidate exists for them.)
    public static func discreteEntropies(in form: NormalForm, normalizer: inout Normalizer) -> [Candidate] {
        let decl = normalizer.context.declarations
        var seen = Set<Monomial>()
        var out: [Candidate] = []
        for m in form.terms.keys where !m.bound.isEmpty && m.measure.values.allSatisfy({ $0 > 0 }) {
            guard m.bound.allSatisfy({ decl.variable($0).map { !$0.type.isContinuous } ?? false }) else { continue }
            let key = Monomial(measure: m.measure, bound: m.bound)
            guard seen.insert(key).inserted else { continue }
            let total = normalizer.canonicalize(key)
            guard total.measure.isEmpty, total.bound.isEmpty else { continue }
            var h = NormalForm.zero
            for (a, e) in key.measure {
                let mono = normalizer.canonicalize(Monomial(measure: key.measure, logs: [.density(a)], bound: key.bound))
                h = h + NormalForm([mono: Rational(-e)])
            }
            if !h.isZero {
                out.append(Candidate(form: h, rule: .entropyNonNegativeDiscrete, label: "entropy of a mass function",
                                     instance: .discreteEntropy(measure: key)))
            }
        }
        return out
    }

    /// Candidate KL terms from each normalised measure M over U in `form` to every joint's
    /// conditional of U given the difference's free variables: `log p(x) − ELBO` is
    /// `KL(q(z | x) || p(z | x))` even when its terms were split across marginal measures.
    public static func posteriorKLs(in form: NormalForm, normalizer: inout Normalizer) -> [Candidate] {
        let context = normalizer.context
        var free = Set<String>()
        for m in form.terms.keys { free.formUnion(normalizer.freeVariables(m)) }
        var seen = Set<Monomial>()
        var out: [Candidate] = []
        for m in form.terms.keys where !m.bound.isEmpty && m.measure.values.allSatisfy({ $0 > 0 }) {
            let key = Monomial(measure: m.measure, bound: m.bound)
            guard seen.insert(key).inserted else { continue }
            let total = normalizer.canonicalize(key)
            guard total.measure.isEmpty, total.bound.isEmpty else { continue }
            let u = Set(m.bound)
            // KL(M || M1 · J(U2 | free, U1)) for every split U = U1 ∪ U2 (U1 may be empty):
            // the expected conditional KL E_{M1}[KL(M2 || J(U2 | …))].
            for inner in subsets(of: m.bound) where !inner.isEmpty {
            let u2 = Set(inner)
            let m1 = normalizer.canonicalize(Monomial(measure: key.measure, bound: inner))
            guard m1.bound.isEmpty || Set(m1.bound) == u.subtracting(u2) else { continue }
            for joint in context.declarations.joints {
                let scope = Set(joint.variables).union(joint.given)
                guard u2.isSubset(of: scope) else { continue }
                let given = free.union(u.subtracting(u2)).intersection(scope).subtracting(u2)
                var rules = RuleLog()
                let n = context.conditional(Density(joint: joint.name, variables: u2.sorted(), given: given.sorted()), rules: &rules)
                let reference = n.merging(m1.measure, uniquingKeysWith: +).filter { $0.value != 0 }
                let kl = expectedLogRatio(under: key, minus: reference, normalizer: &normalizer)
                if !kl.isZero {
                    out.append(Candidate(form: kl, rule: .klNonNegative,
                                         label: "KL to \(joint.name)(\(u2.sorted().joined(separator: ", ")) | \(given.sorted().joined(separator: ", ")))",
                                         instance: .divergence(measure: key, reference: reference)))
                }
            }
            }
        }
        return out
    }

    /// Candidate KL terms recognised inside `form`: for every measure M over bound variables U
    /// whose monomials include `∫ M log a` for an atom a of M, the KL from M to the normalised
    /// density that the remaining logs describe.
    public static func impliedKLs(in form: NormalForm, normalizer: inout Normalizer) -> [Candidate] {
        var groups: [Monomial: [(LogAtom, Rational)]] = [:]
        for (m, c) in form.terms where !m.bound.isEmpty && m.logs.count == 1 && m.measure.values.allSatisfy({ $0 > 0 }) {
            guard case .density = m.logs[0] else { continue }
            let key = Monomial(measure: m.measure, logs: [], bound: m.bound)
            groups[key, default: []].append((m.logs[0], c))
        }
        var out: [Candidate] = []
        for (measureKey, logs) in groups {
            // M must be normalised over U.
            let total = normalizer.canonicalize(measureKey)
            guard total.measure.isEmpty, total.bound.isEmpty else { continue }
            var r: [ComponentAtom: Rational] = [:]
            for (l, c) in logs { if case .density(let a) = l { r[a, default: .zero] = r[a, default: .zero] + c } }
            for (atom, exponent) in measureKey.measure {
                guard let coef = r[atom], coef > .zero else { continue }
                let lambda = coef / Rational(exponent)
                // N = M · Π a^{-r_a/λ}: exponents must be integers.
                var n: [ComponentAtom: Int] = measureKey.measure
                var ok = true
                for (a, c) in r {
                    let e = c / lambda
                    guard let k = e.intValue, k.magnitude < 1 << 20 else { ok = false; break }
                    n[a, default: 0] -= k
                }
                guard ok else { continue }
                let nFiltered = n.filter { $0.value != 0 }
                guard nFiltered.values.allSatisfy({ $0 > 0 }) else { continue }
                let z = normalizer.canonicalize(Monomial(measure: nFiltered, bound: measureKey.bound))
                guard z.bound.isEmpty else { continue }
                // KL(M || N/Z) = Σ_b (M_b − N_b) ∫ M log b + Σ_z Z_z log z
                var kl = expectedLogRatio(under: measureKey, minus: nFiltered, normalizer: &normalizer)
                for (za, ze) in z.measure {
                    kl = kl + NormalForm([Monomial(logs: [.density(za)]): Rational(ze)])
                }
                if !kl.isZero {
                    out.append(Candidate(form: lambda * kl, rule: .klNonNegative, label: "KL recognised in the difference",
                                         instance: .divergence(measure: measureKey, reference: nFiltered), scale: lambda))
                }
            }
        }
        return out
    }
}
