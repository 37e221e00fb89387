/// The named rules of the symbolic engine. Reports print these names; every rewrite the
/// engine performs records the rule it used, so a proof lists exactly what it relied on.
public enum Rule: String, CaseIterable, Sendable, Comparable {
    case chainRule = "chain-rule"
    case bayes = "bayes"
    case factorisation = "factorisation"
    case marginalisation = "marginalisation"
    case normalisation = "normalisation"
    case linearity = "linearity"
    case logProduct = "log-product"
    case fubini = "fubini"
    case expectationDefinition = "expectation-definition"
    case klDefinition = "kl-definition"
    case entropyDefinition = "entropy-definition"
    case klNonNegative = "kl-nonnegative"
    case entropyNonNegativeDiscrete = "discrete-entropy-nonnegative"
    case jensen = "jensen"
    case squareNonNegative = "square-nonnegative"
    case constantDropped = "constant-dropped"
    case positiveScale = "positive-scale"
    case definitionExpanded = "definition-expanded"
    case gaussianLogDensity = "gaussian-log-density"
    case gaussianMoments = "gaussian-moments"
    case gaussianKL = "gaussian-kl"
    case bernoulliLogits = "bernoulli-logits"
    case scalarAlgebra = "scalar-algebra"
    case family = "family"
    /// Scalar layer: `log(ab) = log a + log b` for a, b > 0, `log exp A = A`, `exp(n log P) = P^n`.
    case logExp = "log-exp"
    /// Scalar layer: a finite sum is linear; a summand free of the index gives `D ·` it.
    case finiteSum = "finite-sum"
    /// Scalar layer: a vector inside `norm2`, `N(·)`, `tr`, `det` is read per component.
    case componentwise = "componentwise"
    /// Scalar layer: `x − 1 − log x ≥ 0` for x > 0 (the Gaussian KL summand).
    case logConvexity = "x-minus-1-minus-log-x"

    public static func < (a: Rule, b: Rule) -> Bool { a.rawValue < b.rawValue }
}

/// Collects the rules used while normalising one step.
public struct RuleLog: Sendable {
    public private(set) var used: Set<Rule> = []
    /// Names of assumptions the step used.
    public var assumptions: [String] = []
    public init() {}
    /// Records that a rule fired.
    public mutating func use(_ r: Rule) { used.insert(r) }
    /// Names for reports, sorted.
    public var names: [String] { used.sorted().map(\.rawValue) + assumptions.map { "assumption:\($0)" } }
}
