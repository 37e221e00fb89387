/// The kernel's oracle over the normaliser: a fresh `Normalizer` with the step's context, so
/// that the kernel recomputes every normal form itself instead of taking the search's.
struct NormalizerOracle: KernelOracle {
    var normalizer: Normalizer
    let learnable: (NormalForm) -> Bool

    init(context: ProbabilityContext, expandFamilies: Bool, learnable: @escaping (NormalForm) -> Bool) {
        normalizer = Normalizer(context: context)
        normalizer.expandFamilies = expandFamilies
        normalizer.rules.recording = false
        self.learnable = learnable
    }

    var declarations: Declarations { normalizer.context.declarations }

    mutating func normalForm(of e: Expr) -> NormalForm? {
        guard let f = try? normalizer.normalize(e), !normalizer.budgetExhausted, normalizer.refusals.isEmpty else { return nil }
        return f
    }

    mutating func canonical(_ m: Monomial) -> Monomial { normalizer.canonicalize(m) }

    mutating func product(_ a: NormalForm, _ b: NormalForm) -> NormalForm? {
        guard let p = try? normalizer.multiply(a, b) else { return nil }
        let f = normalizer.canonicalize(p)
        return normalizer.budgetExhausted ? nil : f
    }

    func isFreeOfLearnables(_ n: NormalForm) -> Bool { learnable(n) }

    func isDiscrete(_ variable: String) -> Bool {
        declarations.variable(variable).map { !$0.type.isContinuous } ?? false
    }

    func leftVariables(of measure: Expr) -> [String]? { try? normalizer.leftVariables(of: measure) }

    mutating func scalarCertificate(of n: NormalForm) -> [Rule]? {
        let e = Expr.add(n.terms.map { m, c in Expr.mul([.number(c)] + m.logs.compactMap { l -> Expr? in
            if case .scalar(_, let x, _) = l { return x } else { return nil } }) })
        var rules = RuleLog()
        rules.recording = false
        guard let form = try? ScalarNormalizer.normalize(e, context: normalizer.scalarContext, rules: &rules) else { return nil }
        return ScalarNormalizer.nonNegativityCertificate(form, context: normalizer.scalarContext)
    }
}
