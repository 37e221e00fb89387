/// What one term of a non-negative decomposition is, in terms the kernel can rebuild.
public enum NonNegativeInstance: Sendable, Hashable {
    /// `KL(P || Q)` or `H(P)` written in the step (`expr` is that sub-expression); its normal
    /// form is the normaliser's.
    case written(Expr)
    /// `KL(M || N / Z)` for a measure M (density atoms with exponents, integrated over its
    /// bound variables) and a product N of atoms, `Z = ∫ N` over the same variables: the
    /// divergences the search recognises inside a difference.
    case divergence(measure: Monomial, reference: [ComponentAtom: Int])
    /// `−∫ M log M` for a normalised measure M over discrete variables.
    case discreteEntropy(measure: Monomial)
}

/// One term `weight · factor · T` of a non-negative decomposition, with the rule that makes
/// `T ≥ 0`. The optional `factor` is a polynomial in constants (scalar `param`s), non-negative
/// by the scalar certificate `factorRules` under their declared bounds (rule `constant-weight`):
/// `b · KL` for `b > 0`, `(beta − 1) · KL` for `beta ≥ 1`, `b² · KL` for any real b.
public struct DecompositionTerm: Sendable, Hashable {
    public var rule: Rule
    public var instance: NonNegativeInstance
    public var weight: Rational
    /// A readable name of the term for reports.
    public var label: String
    /// A non-negative polynomial in constants multiplying the term (nil: the weight alone).
    public var factor: Expr?
    /// The rules of the scalar certificate that `factor ≥ 0`.
    public var factorRules: [Rule]

    public init(rule: Rule, instance: NonNegativeInstance, weight: Rational, label: String,
                factor: Expr? = nil, factorRules: [Rule] = []) {
        self.rule = rule
        self.instance = instance
        self.weight = weight
        self.label = label
        self.factor = factor
        self.factorRules = factorRules
    }
}

/// A proof of one step, as the search hands it to the kernel: the step, the ordered rule
/// applications that take each side to its normal form, and how the step is closed.
public struct Certificate: Sendable {
    /// How the normal forms of the two sides are related.
    public enum Closing: Sendable {
        /// `nf(lhs) = nf(rhs)`.
        case sameNormalForm
        /// `nf(larger − smaller) = Σ weight_k · nf(T_k)` with every weight ≥ 0.
        case decomposition([DecompositionTerm])
        /// `nf(larger − smaller)` is a scalar form with a square / `x − 1 − log x` certificate.
        case scalarNonNegative([Rule])
        /// `nf(lhs) − scale · nf(rhs)` is free of learnable quantities (`scale` is 1 for `≃`).
        case constantDropped(scale: Rational)
        /// Jensen for a mixture: the larger side equals, in normal form, the smaller side with
        /// `KL(P || Q)` (Q a mixture family) replaced by `Σ_i W_i KL(P || N_i)` under `index`.
        case mixtureJensen(kl: Expr, index: String)
    }

    public var lhs: Expr
    public var rhs: Expr
    public var relation: Comparison
    public var assumptions: [String]
    /// Whether family log-densities were expanded (the second pass of a proof).
    public var expandFamilies: Bool
    /// The applications, in order: the left side's (positions `lhs/…`), the right side's
    /// (`rhs/…`), then the closing one.
    public var steps: [RuleApplication]
    public var closing: Closing

    public init(lhs: Expr, rhs: Expr, relation: Comparison, assumptions: [String], expandFamilies: Bool,
                steps: [RuleApplication], closing: Closing) {
        self.lhs = lhs
        self.rhs = rhs
        self.relation = relation
        self.assumptions = assumptions
        self.expandFamilies = expandFamilies
        self.steps = steps
        self.closing = closing
    }

    /// Every rule the certificate uses, including those of its decomposition terms.
    public var rulesUsed: Set<Rule> {
        var out = Set(steps.map(\.rule))
        switch closing {
        case .decomposition(let terms):
            out.formUnion(terms.map(\.rule))
            for t in terms where t.factor != nil { out.insert(.constantWeight); out.formUnion(t.factorRules) }
        case .scalarNonNegative(let rules): out.formUnion(rules)
        case .sameNormalForm, .constantDropped, .mixtureJensen: break
        }
        return out
    }
}
