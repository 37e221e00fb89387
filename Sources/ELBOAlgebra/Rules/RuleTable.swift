/// A side condition under which a rule of the table holds.
public enum SideCondition: String, CaseIterable, Sendable, Codable {
    /// The arguments whose logarithm or reciprocal is taken are known strictly positive.
    case positivity
    /// The densities integrated are normalised (integrate to one over their left variables).
    case normalisation
    /// A conditional independence that the declared factorisation (the graph) implies.
    case independence
    /// A named assumption of the step is in force.
    case assumption
    /// The variables are discrete (a probability mass function is at most one).
    case discreteness
    /// A constant's declared constraint (`param beta ≥ 1`) is in force.
    case declaredBound = "declared-bound"
}

/// What kind of statement a rule makes, which decides how the kernel checks an application.
public enum RuleKind: String, Sendable, Codable {
    /// An equation `pattern ⇒ pattern` applied at a position of an expression.
    case rewrite
    /// `pattern ≥ 0`: a term of a non-negative decomposition.
    case nonNegative
    /// `pattern ≥ pattern`, applied to a whole step.
    case inequality
    /// Closes a step (same normal form, non-negative combination, dropped constant, scale).
    case conclusion
}

/// One row of the rule table: a named statement with its side conditions.
public struct RuleDefinition: Sendable, Hashable {
    /// The rule.
    public let rule: Rule
    /// `lhs ⇒ rhs` (or `term ≥ 0`) in the spec language; capitals are pattern variables.
    public let statement: String
    /// When the statement holds.
    public let conditions: [SideCondition]
    /// How applications are checked.
    public let kind: RuleKind
    /// The head the term at an application's position must have (nil: the rule applies to a
    /// normal form or to a whole step, not to one expression node).
    public let head: ExprHead?
    /// The head of the right pattern, when the rewrite may also be applied right to left
    /// (a `N(x; m, v)` written for a density with that family).
    public let rightHead: ExprHead?

    /// The name printed in reports.
    public var name: String { rule.rawValue }
}

/// The kind of an `Expr` node, the part of a rule's left pattern that the kernel matches at
/// an application's position.
public enum ExprHead: String, Sendable, Hashable, Codable {
    case number, constant, symbol, component, density, normalDensity, sum, product, power, log, exp
    case integral, expectation, kl, entropy, indexedSum, norm2, apply, stepRef

    /// The head of `e`.
    public init(_ e: Expr) {
        switch e {
        case .number: self = .number
        case .constant: self = .constant
        case .symbol: self = .symbol
        case .component: self = .component
        case .density: self = .density
        case .normalDensity: self = .normalDensity
        case .sum: self = .sum
        case .product: self = .product
        case .power: self = .power
        case .log: self = .log
        case .exp: self = .exp
        case .integral: self = .integral
        case .expectation: self = .expectation
        case .kl: self = .kl
        case .entropy: self = .entropy
        case .indexedSum: self = .indexedSum
        case .norm2: self = .norm2
        case .apply: self = .apply
        case .stepRef: self = .stepRef
        }
    }
}

/// The one table of rules.
public enum RuleTable {
    /// Every rule, in the order of `Rule.allCases`.
    public static let all: [RuleDefinition] = Rule.allCases.map(\.definition)

    /// The row named `name`, if any.
    public static func named(_ name: String) -> RuleDefinition? { Rule(rawValue: name)?.definition }
}

extension Rule {
    /// This rule's row of the table.
    public var definition: RuleDefinition {
        func row(_ s: String, _ c: [SideCondition] = [], _ k: RuleKind = .rewrite, _ h: ExprHead? = nil,
                 reverse: ExprHead? = nil) -> RuleDefinition {
            RuleDefinition(rule: self, statement: s, conditions: c, kind: k, head: h, rightHead: reverse)
        }
        switch self {
        case .chainRule:
            return row("p(A | B) ⇒ p(A, B) / p(B)", [.positivity], .rewrite, .density)
        case .factorisation:
            return row("p(V) ⇒ Π_v p(v | parents(v))", [.independence], .rewrite, .density)
        case .marginalisation:
            return row("∫ p(A, B) dB ⇒ p(A)", [.normalisation])
        case .normalisation:
            return row("∫ p(A | B) dA ⇒ 1", [.normalisation])
        case .linearity:
            return row("∫ M·(a·F + b·G) ⇒ a·∫ M·F + b·∫ M·G", [], .rewrite, .sum)
        case .logProduct:
            return row("log(P · Q) ⇒ log P + log Q", [.positivity], .rewrite, .log)
        case .fubini:
            return row("∫ (∫ F dB) dA ⇒ ∫ F d(A, B)")
        case .expectationDefinition:
            return row("E_{P}[F] ⇒ ∫ P · F dA", [], .rewrite, .expectation)
        case .klDefinition:
            return row("KL(P || Q) ⇒ ∫ P · (log P − log Q) dA", [], .rewrite, .kl)
        case .entropyDefinition:
            return row("H(P) ⇒ −∫ P · log P dA", [], .rewrite, .entropy)
        case .klNonNegative:
            return row("KL(P || Q) ≥ 0", [.normalisation], .nonNegative)
        case .entropyNonNegativeDiscrete:
            return row("H(P) ≥ 0", [.normalisation, .discreteness], .nonNegative)
        case .jensen:
            return row("Σ_i W_i · KL(P || N_i) ≥ KL(P || Σ_i W_i · N_i)", [.normalisation], .inequality)
        case .squareNonNegative:
            return row("c · A^2 ≥ 0  (c ≥ 0)", [], .nonNegative)
        case .logConvexity:
            return row("X − 1 − log X ≥ 0", [.positivity], .nonNegative)
        case .constantDropped:
            return row("F ≃ F + C  (C free of learnable quantities)", [], .conclusion)
        case .positiveScale:
            return row("F ∝ c · F + C  (c > 0, C free of learnable quantities)", [.positivity], .conclusion)
        case .sameNormalForm:
            return row("A = B  when nf(A) = nf(B)", [], .conclusion)
        case .nonNegativeCombination:
            return row("A ≥ B  when nf(A − B) = Σ_k w_k · nf(T_k), w_k ≥ 0, T_k ≥ 0", [], .conclusion)
        case .definitionExpanded:
            return row("f(X) ⇒ body_f[X]  (define f)", [], .rewrite, .apply)
        case .gaussianLogDensity:
            return row("log N(X; M, V) ⇒ Σ_j −½ log 2π − ½ log V_j − (X_j − M_j)² / (2 V_j)", [.positivity], .rewrite)
        case .gaussianMoments:
            return row("E_{N(X; M, S)}[X] ⇒ M,  E_{N(X; M, S)}[X²] ⇒ M² + S", [.normalisation])
        case .bernoulliLogits:
            return row("sigmoid(F) ⇒ 1 / (1 + exp(−F)),  softplus(F) ⇒ log(1 + exp F)", [], .rewrite, .apply)
        case .scalarAlgebra:
            return row("A · (B + C) ⇒ A·B + A·C,  a·X + b·X ⇒ (a + b)·X,  X^n expanded")
        case .family:
            return row("p(X | Z) ⇒ F(X; θ(Z))  (family p(X | Z) = F)", [], .rewrite, .density, reverse: .normalDensity)
        case .logExp:
            return row("log(A · B) ⇒ log A + log B,  log exp A ⇒ A,  exp(n · log P) ⇒ P^n", [.positivity])
        case .finiteSum:
            return row("Σ_j (A_j + B_j) ⇒ Σ_j A_j + Σ_j B_j,  Σ_{j=1}^{D} C ⇒ D · C", [], .rewrite)
        case .componentwise:
            return row("‖V‖² ⇒ Σ_j V_j²,  N(X; M, V) ⇒ Π_j N(X_j; M_j, V_j)")
        case .constantBound:
            return row("B ⇒ c + T, T ≥ 0  (param B ≥ c; B ⇒ c − T for B ≤ c; T > 0 when strict)", [.declaredBound])
        case .constantWeight:
            return row("W · T ≥ 0  (T ≥ 0; W a polynomial in params, W ≥ 0 by their declared bounds)", [.declaredBound], .nonNegative)
        case .oneHot:
            return row("Σ_c [Y = c] · A ⇒ A  (A free of c),  [Y = c]^n ⇒ [Y = c]  (Y a label; [Y = c] is Y_c)")
        case .densityAtPoint:
            return row("log p(X | Z = E) ⇒ log F(X; θ[Z := E])  (family p(X | Z) = F; θ explicit in Z)", [], .rewrite, .log)
        case .reparameterisation:
            return row("E_{N(ε; 0, 1)}[ B ] ⇒ E_{q(Z | X)}[ B[ε := (Z − A)/S] ],  p(Y | Z = Z) ⇒ p(Y | Z)  (B reads ε through points Z = A + S ε; family q(Z | X) = Normal(M, V), A ≡ M, S² ≡ V; Z not free in B)",
                       [.positivity], .rewrite, .expectation)
        case .assumption:
            return row("p(A | B, C) ⇒ p(A | B)  (assumption in force)", [.assumption], .rewrite, .density)
        }
    }
}
