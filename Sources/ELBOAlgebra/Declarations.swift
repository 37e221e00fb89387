/// The role of a random variable in a spec.
public enum VariableRole: String, Hashable, Sendable {
    /// Data: modelled by the model, conditioned on by the guide.
    case observed
    /// Unobserved: integrated over.
    case latent
    /// Conditioned on, never modelled; a root with an arbitrary positive distribution.
    case input
}

/// A dimension: a symbol such as `k` or a literal size.
public enum Dimension: Hashable, Sendable, CustomStringConvertible {
    case symbol(String)
    case value(Int)
    public var description: String {
        switch self { case .symbol(let s): return s; case .value(let v): return "\(v)" }
    }
}

/// The type of a random variable.
public enum VariableType: Hashable, Sendable {
    /// A real vector with the given number of components.
    case real(Dimension)
    /// A binary vector.
    case binary(Dimension)
    /// A class label with the given number of classes.
    case label(Dimension)

    /// Whether the variable is continuous (integrals are Lebesgue integrals, densities may
    /// exceed one, entropies may be negative).
    public var isContinuous: Bool { if case .real = self { return true } else { return false } }
    /// The dimension or class count.
    public var dimension: Dimension {
        switch self { case .real(let d), .binary(let d), .label(let d): return d }
    }
}

/// A declared random variable.
public struct Variable: Hashable, Sendable {
    public var name: String
    public var role: VariableRole
    public var type: VariableType
    /// For data computed from other data, `y : observed real[k_y] = downsample2x2(x)`: the
    /// expression. The checker reads the variable as data; kernels compute it.
    public var computed: Expr?
    public init(name: String, role: VariableRole, type: VariableType, computed: Expr? = nil) {
        self.name = name; self.role = role; self.type = type; self.computed = computed
    }
}

/// Whether a joint is the generative model or the variational guide.
public enum JointKind: String, Hashable, Sendable { case model, guide }

/// A `model` or `guide` declaration: a joint density over `variables` given `given`, with an
/// optional factorisation into conditional densities (a directed graph).
public struct Joint: Hashable, Sendable {
    public var kind: JointKind
    /// The distribution name with subscripts stripped, e.g. `p`.
    public var name: String
    public var variables: [String]
    public var given: [String]
    /// The declared factors, or nil for an unstructured joint.
    public var factors: [Density]?
    public init(kind: JointKind, name: String, variables: [String], given: [String], factors: [Density]?) {
        self.kind = kind; self.name = name; self.variables = variables; self.given = given; self.factors = factors
    }
}

/// A named assumption that steps may put in force with `assuming NAME`.
public struct Assumption: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// `lhs = rhs` where the right side drops conditioning variables of the left one or
        /// splits a joint density into a product of densities.
        case equality(lhs: Density, rhs: [Density])
        /// `variable deterministic given given in joint`: a point-mass transition.
        case deterministic(variable: String, given: [String], joint: String)
    }
    public var name: String
    public var kind: Kind
    public init(name: String, kind: Kind) { self.name = name; self.kind = kind }
}

/// A distribution family attached to a density by a `family` declaration.
public enum FamilyKind: Hashable, Sendable {
    /// Diagonal Gaussian with per-component mean and variance expressions.
    case normal(mean: Expr, variance: Expr)
    /// Factorised Bernoulli parameterised by logits.
    case bernoulliLogits(Expr)
    /// Factorised Bernoulli parameterised by probabilities.
    case bernoulli(Expr)
    /// Categorical over a label variable.
    case categorical(Expr)
    /// Categorical over a label variable given by logits: log-density
    /// `Σ_c [y = c] g_c − logsumexp_c(g_c)`.
    case categoricalLogits(Expr)
    /// K-component diagonal Gaussian mixture.
    case mixtureNormal(weights: Expr, means: Expr, variances: Expr, components: Expr)
    /// Deterministic transition `y = f(x)`.
    case delta(Expr)
}

extension FamilyKind {
    /// The family's parameter expressions, in declaration order (for a mixture, also K).
    public var expressions: [Expr] {
        switch self {
        case .normal(let m, let v): return [m, v]
        case .bernoulliLogits(let e), .bernoulli(let e), .categorical(let e), .categoricalLogits(let e), .delta(let e): return [e]
        case .mixtureNormal(let w, let m, let v, let k): return [w, m, v, k]
        }
    }
}

/// A `family DENSITY = …` declaration.
public struct Family: Hashable, Sendable {
    public var density: Density
    public var kind: FamilyKind
    public init(density: Density, kind: FamilyKind) { self.density = density; self.kind = kind }
}

/// A declared constraint `> c`, `≥ c`, `< c` or `≤ c` on a `param` (componentwise for a
/// vector), with `c` an exact number.
public struct ParamBound: Hashable, Sendable, CustomStringConvertible {
    /// How the parameter compares with the bound.
    public enum Comparison: String, Hashable, Sendable {
        case greater = ">", greaterOrEqual = "≥", less = "<", lessOrEqual = "≤"
    }
    public var comparison: Comparison
    public var value: Rational
    public init(_ comparison: Comparison, _ value: Rational) { self.comparison = comparison; self.value = value }

    /// `> 0`.
    public static let positive = ParamBound(.greater, .zero)
    /// Whether the bound is from below (`>`, `≥`).
    public var isLower: Bool { comparison == .greater || comparison == .greaterOrEqual }
    /// Whether the bound excludes its value (`>`, `<`).
    public var isStrict: Bool { comparison == .greater || comparison == .less }
    /// Whether every value allowed is strictly positive (`> c` with c ≥ 0, `≥ c` with c > 0).
    public var impliesPositive: Bool {
        isLower && (value > .zero || (isStrict && value.isZero))
    }
    public var description: String { "\(comparison.rawValue) \(value)" }

    /// Whether `x` satisfies the constraint.
    public func admits(_ x: Rational) -> Bool {
        switch comparison {
        case .greater: return x > value
        case .greaterOrEqual: return !(x < value)
        case .less: return x < value
        case .lessOrEqual: return !(x > value)
        }
    }
}

/// A learnable parameter declared with `param`.
/// The declared structure of a square matrix `param` (`param S[m, m] spd`).
public enum MatrixStructure: String, Hashable, Sendable, CaseIterable {
    /// Symmetric positive definite (a full covariance).
    case spd
    /// Symmetric.
    case symmetric = "sym"
    /// Lower triangular with a positive diagonal (a Cholesky factor).
    case lower
}

public struct Param: Hashable, Sendable {
    public var name: String
    /// Empty for a scalar.
    public var shape: [Dimension]
    /// The declared constraint, if any (`param beta ≥ 1`).
    public var bound: ParamBound?
    /// The structure of a square matrix, if declared.
    public var structure: MatrixStructure?
    /// Every value allowed is strictly positive (`> 0`, `≥ 1`, …).
    public var positive: Bool { bound?.impliesPositive ?? false }
    /// Where training starts: 1 for a positive parameter, 0 for a free one, otherwise one
    /// unit inside the bound (`b < -1` starts at -2).
    public var initialValue: Double {
        guard let b = bound else { return 0 }
        for x in [Rational.one, .zero] where b.admits(x) { return x.doubleValue }
        return (b.isLower ? b.value + .one : b.value - .one).doubleValue
    }
    /// A parameter constrained by `bound` (nil: any real value).
    public init(name: String, shape: [Dimension], bound: ParamBound?, structure: MatrixStructure? = nil) {
        self.name = name; self.shape = shape; self.bound = bound; self.structure = structure
    }
    /// A parameter declared `> 0` when `positive`, unconstrained otherwise.
    public init(name: String, shape: [Dimension], positive: Bool) {
        self.init(name: name, shape: shape, bound: positive ? .positive : nil)
    }
}

/// A `network NAME: IN -> OUT, OUT` declaration.
public struct Network: Hashable, Sendable {
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public init(name: String, inputs: [String], outputs: [String]) {
        self.name = name; self.inputs = inputs; self.outputs = outputs
    }
}

/// A `define NAME(ARGS) = EXPR` shorthand.
public struct Definition: Hashable, Sendable {
    public var name: String
    public var parameters: [String]
    public var body: Expr
    public init(name: String, parameters: [String], body: Expr) {
        self.name = name; self.parameters = parameters; self.body = body
    }

    /// The body with the parameters replaced by `arguments` (`f(X) ⇒ body_f[X]`); nil when
    /// the number of arguments is not the number of parameters.
    public func instantiated(with arguments: [Expr]) -> Expr? {
        guard arguments.count == parameters.count else { return nil }
        var map: [String: Expr] = [:]
        for (p, a) in zip(parameters, arguments) { map[p] = a }
        return body.substituting(map)
    }
}

/// Everything a derivation declares before its steps: the context in which every step is
/// read. The algebra and both checking engines take their facts from here and nowhere else.
public struct Declarations: Hashable, Sendable {
    public var variables: [Variable] = []
    public var dimensions: [String] = []
    public var params: [Param] = []
    public var joints: [Joint] = []
    public var families: [Family] = []
    public var networks: [Network] = []
    public var definitions: [Definition] = []
    public var assumptions: [Assumption] = []
    public init() {}

    /// The variable with this name, if declared.
    public func variable(_ name: String) -> Variable? { variables.first { $0.name == name } }
    /// The joint with this (subscript-free) name, if declared.
    public func joint(_ name: String) -> Joint? { joints.first { $0.name == name } }
    /// The assumption with this name, if declared.
    public func assumption(_ name: String) -> Assumption? { assumptions.first { $0.name == name } }
    /// The definition with this name, if declared.
    public func definition(_ name: String) -> Definition? { definitions.first { $0.name == name } }
}
