/// The relation a symbolic proof establishes between two expressions.
public enum Comparison: Sendable {
    case equal, greaterOrEqual, lessOrEqual, equalUpToConstant, proportional
}

/// What the symbolic engine concluded about one step.
public enum SymbolicOutcome: Sendable {
    /// Proved, with the rules used and the proof the kernel checked.
    case proved(rules: [String], proof: CheckedProof)
    /// No proof found; `residual` is the canonical difference that did not vanish.
    case failed(residual: String, rules: [String])
    /// The step uses something the engine does not handle.
    case notApplicable(String)
    /// The step contains a term without a value (`0^(-1)`, `log(-1)`); the message says which.
    case undefined(String)
    /// An exact computation the step needs is beyond a stated limit; the message states it.
    case beyondLimit(String)
}

/// The symbolic engine: canonical forms of both sides, compared; inequalities by a
/// non-negative decomposition of the difference.
public struct SymbolicProver {
    public let declarations: Declarations
    /// Symbols that are learnable: `param`s, family parameters and network outputs.
    public let learnableSymbols: Set<String>

    public init(declarations: Declarations) {
        self.declarations = declarations
        self.learnableSymbols = declarations.learnableSymbols
    }

    /// Proves `lhs (relation) rhs` with the named assumptions in force.
    public func prove(lhs: Expr, rhs: Expr, relation: Comparison, assumptions: [String]) -> SymbolicOutcome {
        if relation == .lessOrEqual || relation == .greaterOrEqual {
            let (small, large) = relation == .lessOrEqual ? (lhs, rhs) : (rhs, lhs)
            if let outcome = proveByJensen(lhs: lhs, rhs: rhs, relation: relation, assumptions: assumptions,
                                           smaller: small.pooledNestedIntegrals, larger: large.pooledNestedIntegrals) {
                return outcome
            }
        }
        let first = prove(lhs: lhs, rhs: rhs, relation: relation, assumptions: assumptions, expandFamilies: false)
        if case .proved = first { return first }
        let usesFamilies = !declarations.families.isEmpty
            || [lhs, rhs].contains { $0.allSubexpressions.contains { if case .normalDensity = $0 { return true }; return false } }
        guard usesFamilies else { return first }
        let second = prove(lhs: lhs, rhs: rhs, relation: relation, assumptions: assumptions, expandFamilies: true)
        if case .proved = second { return second }
        if case .notApplicable = first { return second }
        return first
    }

    /// Hands `certificate` to the kernel with an oracle over a fresh normaliser for its
    /// assumptions: the only way to a `CheckedProof`.
    public func replay(_ certificate: Certificate) -> Result<CheckedProof, KernelRejection> {
        let context: ProbabilityContext
        do { context = try ProbabilityContext(declarations: declarations, assumptions: certificate.assumptions) } catch {
            return .failure(KernelRejection("the assumptions are not usable: \(error)"))
        }
        var oracle = NormalizerOracle(context: context, expandFamilies: certificate.expandFamilies,
                                      learnable: { self.isFreeOfLearnables($0, context) })
        return Kernel.check(certificate, oracle: &oracle)
    }

    /// Jensen's rule for a mixture family, applied to the whole step, if the step is an
    /// instance of its statement; the kernel checks the instance.
    func proveByJensen(lhs: Expr, rhs: Expr, relation: Comparison, assumptions: [String],
                       smaller: Expr, larger: Expr) -> SymbolicOutcome? {
        for case .kl(let p, let q) in smaller.allSubexpressions {
            for case .indexedSum(let i, _, _, _) in larger.allSubexpressions {
                let certificate = Certificate(lhs: relation == .lessOrEqual ? smaller : larger,
                                              rhs: relation == .lessOrEqual ? larger : smaller,
                                              relation: relation, assumptions: [], expandFamilies: false,
                                              steps: [RuleApplication(rule: .jensen, at: "step", instantiation: "\(Expr.kl(p, q)) over \(i)")],
                                              closing: .mixtureJensen(kl: .kl(p, q), index: i))
                guard MixtureJensen.applies(smaller: smaller, larger: larger, declarations: declarations) else { return nil }
                if case .success(let proof) = replay(certificate) {
                    return .proved(rules: [Rule.jensen.rawValue, Rule.klDefinition.rawValue], proof: proof)
                }
            }
        }
        return nil
    }

    func prove(lhs: Expr, rhs: Expr, relation: Comparison, assumptions: [String], expandFamilies: Bool) -> SymbolicOutcome {
        let context: ProbabilityContext
        do { context = try ProbabilityContext(declarations: declarations, assumptions: assumptions) } catch {
            return .notApplicable("\(error)")
        }
        var normalizer = Normalizer(context: context)
        normalizer.expandFamilies = expandFamilies
        normalizer.rules.assumptions = context.appliedAssumptions
        for a in context.appliedAssumptions { normalizer.rules.use(.assumption, instantiation: a) }
        let l: NormalForm, r: NormalForm
        do {
            normalizer.rules.enter("lhs")
            l = try normalizer.normalize(lhs)
            normalizer.rules.leave()
            normalizer.rules.enter("rhs")
            r = try normalizer.normalize(rhs)
            normalizer.rules.leave()
        } catch {
            return .notApplicable("\(error)")
        }
        if let u = normalizer.refusals.first(where: { if case .undefined = $0 { return true } else { return false } }) {
            return .undefined(u.description)
        }
        if let l = normalizer.refusals.first {
            return .beyondLimit(l.description)
        }
        if normalizer.budgetExhausted {
            return .notApplicable("the normaliser's budget of \(Normalizer.monomialBudget) monomials per canonicalisation was exhausted")
        }
        // Candidate terms are normalised by search, not proof: their rules are not the step's.
        let proofLog = normalizer.rules
        normalizer.rules.recording = false
        var log = proofLog
        /// Hands the certificate to the kernel: proved only if the kernel accepts it.
        func close(_ closing: Certificate.Closing, by rule: Rule, at: String, extra: [Rule] = []) -> SymbolicOutcome {
            for r in extra { log.use(r) }
            let certificate = Certificate(lhs: lhs, rhs: rhs, relation: relation, assumptions: context.appliedAssumptions,
                                          expandFamilies: expandFamilies,
                                          steps: proofLog.applications + [RuleApplication(rule: rule, at: at)], closing: closing)
            switch replay(certificate) {
            case .success(let proof): return .proved(rules: log.names, proof: proof)
            case .failure(let why): return .failed(residual: "the kernel rejected the proof: \(why)", rules: log.names)
            }
        }
        switch relation {
        case .equal:
            let d = l - r
            return d.isZero ? close(.sameNormalForm, by: .sameNormalForm, at: "step")
                            : .failed(residual: describe(d, normalizer.context), rules: log.names)
        case .greaterOrEqual, .lessOrEqual:
            let d = relation == .greaterOrEqual ? l - r : r - l
            var candidates: [NonNegativityProver.Candidate] = []
            for e in [lhs, rhs] {
                for k in e.allSubexpressions where { if case .kl = k { return true }; return false }() {
                    if let f = try? normalizer.normalize(k) {
                        candidates.append(.init(form: f, rule: .klNonNegative, label: "\(k)", instance: .written(k)))
                    }
                }
            }
            for e in [lhs, rhs] {
                for h in e.allSubexpressions {
                    guard case .entropy(let p) = h, let vars = try? normalizer.leftVariables(of: p),
                          vars.allSatisfy({ declarations.variable($0).map { !$0.type.isContinuous } ?? false }),
                          let f = try? normalizer.normalize(h) else { continue }
                    candidates.append(.init(form: f, rule: .entropyNonNegativeDiscrete, label: "\(h)", instance: .written(h)))
                }
            }
            candidates += NonNegativityProver.discreteEntropies(in: d, normalizer: &normalizer)
            candidates += NonNegativityProver.impliedKLs(in: d, normalizer: &normalizer)
            candidates += NonNegativityProver.posteriorKLs(in: d, normalizer: &normalizer)
            if d.terms.keys.allSatisfy({ $0.measure.isEmpty && $0.bound.isEmpty }) {
                // A purely scalar difference: ask the scalar layer for a certificate.
                let e = Expr.add(d.terms.map { m, c in Expr.mul([.number(c)] + m.logs.compactMap { l -> Expr? in
                    if case .scalar(_, let x, _) = l { return x } else { return nil } }) })
                if d.terms.keys.allSatisfy({ $0.logs.allSatisfy { if case .scalar = $0 { return true }; return false } }),
                   let form = try? ScalarNormalizer.normalize(e, context: normalizer.scalarContext, rules: &normalizer.rules),
                   let certificate = ScalarNormalizer.nonNegativityCertificate(form, context: normalizer.scalarContext) {
                    // Every rule of the certificate, `x − 1 − log x` included.
                    return close(.scalarNonNegative(certificate), by: .nonNegativeCombination, at: "difference", extra: certificate)
                }
            }
            if let used = NonNegativityProver.decompose(d, into: candidates) {
                return close(.decomposition(used.map { $0.0.term(weight: $0.1) }), by: .nonNegativeCombination,
                             at: "difference", extra: used.map(\.0.rule))
            }
            if let terms = NonNegativityProver.decomposeWithConstantWeights(d, into: candidates, normalizer: &normalizer) {
                var extra = terms.map(\.rule)
                for t in terms where t.factor != nil { extra += [.constantWeight] + t.factorRules }
                return close(.decomposition(terms), by: .nonNegativeCombination, at: "difference", extra: extra)
            }
            return .failed(residual: describe(d, normalizer.context), rules: log.names)
        case .equalUpToConstant:
            let d = l - r
            if isFreeOfLearnables(d, normalizer.context) {
                return d.isZero ? close(.sameNormalForm, by: .sameNormalForm, at: "step")
                                : close(.constantDropped(scale: .one), by: .constantDropped, at: "step", extra: [.constantDropped])
            }
            return .failed(residual: describe(learnablePart(d, normalizer.context), normalizer.context), rules: log.names)
        case .proportional:
            // lhs = c · rhs + constant with a rational c > 0 found from a learnable monomial.
            for (m, rc) in r.terms where !isFreeOfLearnables(NormalForm([m: .one]), normalizer.context) {
                let c = (l.terms[m] ?? .zero) / rc
                guard c > .zero else { break }
                let d = l - c * r
                if isFreeOfLearnables(d, normalizer.context) {
                    return close(.constantDropped(scale: c), by: .positiveScale, at: "step",
                                 extra: d.isZero ? [.positiveScale] : [.positiveScale, .constantDropped])
                }
                break
            }
            if isFreeOfLearnables(l, normalizer.context) && isFreeOfLearnables(r, normalizer.context) {
                return close(.constantDropped(scale: .one), by: .constantDropped, at: "step")
            }
            return .failed(residual: describe(l - r, normalizer.context), rules: log.names)
        }
    }

    func isFreeOfLearnables(_ n: NormalForm, _ context: ProbabilityContext) -> Bool {
        learnablePart(n, context).isZero
    }

    func learnablePart(_ n: NormalForm, _ context: ProbabilityContext) -> NormalForm {
        let learn = learnableSymbols
        return NormalForm(n.terms.filter { m, _ in
            if m.measure.keys.contains(where: { !context.isInputRootOnly($0) }) { return true }
            for l in m.logs {
                switch l {
                case .density(let a): if !context.isInputRootOnly(a) { return true }
                case .scalar(_, let e, _): if !e.symbols.isDisjoint(with: learn) { return true }
                case .opaque: return true
                }
            }
            return false
        })
    }

    /// A readable rendering of a normal form, for failure messages.
    public func describe(_ n: NormalForm, _ context: ProbabilityContext) -> String {
        if n.isZero { return "0" }
        return n.sortedTerms.map { m, c in
            var parts: [String] = []
            for (a, k) in m.measure.sorted(by: { $0.key < $1.key }) {
                parts.append(k == 1 ? context.label(of: a) : "[\(context.label(of: a))]^\(k)")
            }
            for l in m.logs {
                switch l {
                case .density(let a): parts.append("log \(context.label(of: a))")
                case .scalar(_, let e, _): parts.append("\(e)")
                case .opaque(let k, _): parts.append(k)
                }
            }
            let body = parts.isEmpty ? "1" : parts.joined(separator: " · ")
            let integral = m.bound.isEmpty ? body : "∫ \(body) d\(m.bound.joined(separator: " d"))"
            return "\(c) · \(integral)"
        }.joined(separator: "  +  ")
    }
}

extension Declarations {
    /// Symbols that first appear inside a `family`: its parameters (`mu`, `s` in
    /// `Normal(mu, exp(s))`). Variables, dimensions and `param`s are excluded; network outputs
    /// a family uses are included (a network produces them).
    public var familyParameters: Set<String> {
        var out = Set<String>()
        for f in families {
            for e in f.kind.expressions {
                for sub in e.allSubexpressions {
                    switch sub {
                    case .symbol(let s): out.insert(s)
                    case .component(let base, _): out.insert(base)
                    default: break
                    }
                }
            }
        }
        out.subtract(variables.map(\.name))
        out.subtract(dimensions)
        out.subtract(variables.compactMap { if case .symbol(let s) = $0.type.dimension { return s }; return nil })
        out.subtract(params.map(\.name))
        return out
    }

    /// Learnable quantities: `param`s, family parameters and network outputs.
    public var learnableSymbols: Set<String> {
        Set(params.map(\.name)).union(familyParameters).union(networks.flatMap(\.outputs))
    }
}

extension Expr {
    /// This expression and all its descendants, pre-order.
    public var allSubexpressions: [Expr] {
        var out: [Expr] = [self]
        for c in children { out += c.allSubexpressions }
        return out
    }
}
