/// A mathematical constant that specs may name.
public enum MathConstant: String, Hashable, Sendable {
    case pi, e
}

/// A density written in a spec: `p(A | B)`, the conditional of joint `p` of the variables `A`
/// given `B`. Subscripts such as `p_theta` are stripped by the parser: they name parameters,
/// not distributions.
public struct Density: Hashable, Sendable, CustomStringConvertible {
    /// The joint (`model` or `guide`) the density is a conditional of.
    public var joint: String
    /// The variables on the left of the bar, as written.
    public var variables: [String]
    /// The conditioning variables, as written.
    public var given: [String]

    /// Creates a density.
    public init(joint: String, variables: [String], given: [String] = []) {
        self.joint = joint
        self.variables = variables
        self.given = given
    }

    /// All variables the density mentions.
    public var allVariables: Set<String> { Set(variables).union(given) }

    public var description: String {
        given.isEmpty
            ? "\(joint)(\(variables.joined(separator: ", ")))"
            : "\(joint)(\(variables.joined(separator: ", ")) | \(given.joined(separator: ", ")))"
    }
}

/// An expression of the spec language, at both levels: the probability level (densities,
/// integrals, expectations, KL) and the scalar level (per-component arithmetic, finite sums).
///
/// Subtraction is `sum([a, product([-1, b])])`, division is `product([a, power(b, -1)])`,
/// `sqrt(x)` is `power(x, 1/2)`. The parser builds terms with the `Expr` smart constructors
/// in `Expr+Build.swift`, which flatten nested sums and products.
public indirect enum Expr: Hashable, Sendable {
    /// An exact rational literal.
    case number(Rational)
    /// `π` or `e`.
    case constant(MathConstant)
    /// A named scalar or vector: a variable, a dimension, a `param`, a family parameter.
    case symbol(String)
    /// The component `base_index` of a vector inside a finite sum, e.g. `mu_j`.
    case component(String, index: String)
    /// The value of a density of a model or guide.
    case density(Density)
    /// The value of a Gaussian density `N(point; mean, variance)`.
    case normalDensity(point: Expr, mean: Expr, variance: Expr)
    /// An n-ary sum.
    case sum([Expr])
    /// An n-ary product.
    case product([Expr])
    /// `base ^ exponent`.
    case power(Expr, Expr)
    /// Natural logarithm.
    case log(Expr)
    /// Exponential.
    case exp(Expr)
    /// `∫ body d(variables)`; a sum for discrete variables.
    case integral(Expr, over: [String])
    /// `E_{measure}[body]`: the measure is a density or a product of densities and integrates
    /// the variables on their left sides.
    case expectation(measure: Expr, body: Expr)
    /// `KL(P || Q)`.
    case kl(Expr, Expr)
    /// `H(P)`.
    case entropy(Expr)
    /// `Σ_{index=from}^{to} body`.
    case indexedSum(index: String, from: Expr, to: Expr, body: Expr)
    /// `‖v‖²`, the squared Euclidean norm summed over components.
    case norm2(Expr)
    /// A named function: `tr`, `det`, `transpose`, `inverse`, `abs`, or a `define`d shorthand.
    case apply(String, [Expr])
    /// A reference to an earlier step by its label, e.g. `(7)` in `objective loss = -(7)`.
    case stepRef(String)
}
