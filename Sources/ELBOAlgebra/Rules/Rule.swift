/// The named rules of the symbolic engine, one case per row of the rule table
/// (`RuleTable.swift` gives each its statement and side conditions). Reports print these
/// names; proofs are ordered applications of them (`RuleApplication`).
///
/// Adding a rule: add a case here and its row in `Rule.definition` (the `switch` there has no
/// `default`, so the compiler asks for the row).
public enum Rule: String, CaseIterable, Sendable, Comparable, Codable {
    case chainRule = "chain-rule"
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
    /// Scalar layer: a constant with a declared bound `b ≥ c` (`>`, `≤`, `<`) is `c ± t` with a
    /// slack `t ≥ 0` (`t > 0` when strict), in a non-negativity certificate or a weight.
    case constantBound = "constant-bound"
    /// `W · T ≥ 0` for a term `T ≥ 0` and a polynomial `W` in constants with `W ≥ 0` under
    /// their declared bounds (a decomposition weight that is not a number).
    case constantWeight = "constant-weight"
    /// Scalar layer: a label's components are one-hot, `y_c = [y = c]`: `y_c^n ⇒ y_c` and
    /// `Σ_c y_c · A ⇒ A` for A free of c.
    case oneHot = "one-hot"
    /// `log p(X = E | Z) ⇒ log F(E; θ(Z))` for `family p(X | Z) = F`, and likewise for a
    /// bound conditioning variable, when θ reads it explicitly (not through a network).
    case densityAtPoint = "density-at-point"
    /// `E_{N(ε; 0, 1)}[B] ⇒ E_{q(Z | X)}[B[ε := (Z − A)/S]]` for points `Z = A + S ε` of
    /// `family q(Z | X) = Normal(M, V)` with A ≡ M, S² ≡ V: the reparameterisation identity
    /// read right to left.
    case reparameterisation = "reparameterisation"
    /// A declared assumption put in force (its name is the application's instantiation).
    case assumption = "assumption"
    /// The closing step of an equation: both sides have one normal form.
    case sameNormalForm = "same-normal-form"
    /// The closing step of an inequality: the difference is a non-negative combination of
    /// terms each non-negative by a rule of the table.
    case nonNegativeCombination = "nonnegative-combination"

    public static func < (a: Rule, b: Rule) -> Bool { a.rawValue < b.rawValue }
}
