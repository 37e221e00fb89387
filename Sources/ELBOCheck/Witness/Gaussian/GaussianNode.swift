import ELBOAlgebra

/// A size: a literal or the value of a dimension symbol in the instance.
enum GaussianSize: Hashable {
    case fixed(Int)
    case dimension(Int)

    func value(_ dims: [Int]) -> Int {
        switch self { case .fixed(let n): return n; case .dimension(let d): return dims[d] }
    }
}

/// The shape of a learnable value.
enum GaussianShape: Hashable {
    case scalar
    case vector(GaussianSize)
    case matrix(GaussianSize, GaussianSize)

    func text(_ dimensionNames: [String]) -> String {
        func s(_ g: GaussianSize) -> String {
            switch g { case .fixed(let n): return "\(n)"; case .dimension(let d): return dimensionNames[d] }
        }
        switch self {
        case .scalar: return "scalar"
        case .vector(let n): return "[\(s(n))]"
        case .matrix(let r, let c): return "[\(s(r)), \(s(c))]"
        }
    }
}

/// What values a learnable symbol may take.
enum GaussianRole: Hashable {
    /// Any real numbers.
    case free
    /// Positive entries (a variance, a `param … > 0`).
    case positive
    /// Entries in (0, 1) (Bernoulli probabilities).
    case unitInterval
    /// Positive entries summing to one (mixture weights, categorical probabilities).
    case simplex
    /// A symmetric positive definite matrix `A Aᵀ + 0.5 I` (a full covariance).
    case positiveDefinite
    /// A symmetric matrix `(A + Aᵀ)/2` (`param S[m, m] sym`).
    case symmetric
    /// A lower-triangular matrix with a positive diagonal (`param L[m, m] lower`).
    case lowerTriangular
}

/// A random variable as the Gaussian witness sees it.
struct GaussianVariable {
    enum Kind { case real, binary, label }
    var name: String
    var kind: Kind
    /// Components (real, binary) or classes (label).
    var size: GaussianSize
}

/// A `param`: a random value per learnable draw.
struct GaussianParameter {
    var name: String
    var shape: GaussianShape
    var role: GaussianRole
    /// A declared constraint other than `> 0` (`beta ≥ 1`, `b < 0`): values are drawn inside it.
    var bound: ParamBound? = nil
}

/// A family parameter or network output: a random smooth function of its inputs
/// (`c · tanh(A u + b) + d`, mapped to its role), redrawn per learnable draw.
struct GaussianFunction {
    var name: String
    var shape: GaussianShape
    var role: GaussianRole
    /// The variables it reads (by slot), in order; empty for a network applied to explicit
    /// arguments (`classifier(x)`), whose inputs are those arguments.
    var inputs: [Int]
    var explicitArguments: Bool
}

/// A distribution family with its parameter expressions compiled.
enum GaussianFamily {
    case normal(mean: GaussianNode, variance: GaussianNode)
    case bernoulliLogits(GaussianNode)
    case bernoulli(GaussianNode)
    case categorical(GaussianNode)
    case mixture(weights: GaussianNode, means: GaussianNode, variances: GaussianNode, components: GaussianSize)
    case delta(GaussianNode)

    var name: String {
        switch self {
        case .normal: return "Normal"
        case .bernoulliLogits, .bernoulli: return "Bernoulli"
        case .categorical: return "Categorical"
        case .mixture: return "MixtureNormal"
        case .delta: return "Delta"
        }
    }
}

/// One conditional density with a family: `f(variable | given)`.
struct GaussianFactor {
    var variable: Int
    var given: [Int]
    var family: GaussianFamily
    /// Every variable the family's parameters read (conditioning variables, function inputs).
    var dependencies: Set<Int>
    /// `q(z | x) = Normal(mu, exp(s))`.
    var text: String
}

/// How the points of a bound variable are chosen.
enum GaussianMeasure {
    /// The nodes of a declared factor's family: Gauss–Hermite for a Normal (per component
    /// for a mixture), the point for a Delta, every value weighted by its probability for a
    /// Bernoulli or Categorical.
    case factor(variable: Int, factor: Int)
    /// The nodes of an explicit `N(v; mean, variance)` factor.
    case normal(variable: Int, mean: GaussianNode, variance: GaussianNode, dependencies: Set<Int>)
    /// Every value of a discrete variable with weight one (a sum).
    case counting(variable: Int)

    var variable: Int {
        switch self {
        case .factor(let v, _), .normal(let v, _, _, _), .counting(let v): return v
        }
    }
}

enum GaussianBuiltin: String {
    case trace = "tr"
    case determinant = "det"
    case absolute = "abs"
    case transpose
    case inverse
    /// `exp(v_c) / Σ_c' exp(v_c')` of a vector (the probabilities of `Categorical(logits = v)`).
    case softmax
}

/// A compiled expression of the Gaussian witness.
indirect enum GaussianNode {
    case constant(Double)
    case dimension(Int)
    case parameter(Int)
    /// A family parameter or network output at the current values of its inputs.
    case function(Int)
    /// A network applied to explicit arguments.
    case apply(Int, [GaussianNode])
    case variable(Int)
    case local(Int)
    case index(Int)
    case component(GaussianNode, WitnessIndex)
    /// The product of the values of these factors (ids into the program's factors).
    case density([Int], text: String)
    /// `body` with these variables set to these values (a density at a point).
    case atPoint(slots: [Int], values: [GaussianNode], body: GaussianNode)
    case normalDensity(GaussianNode, GaussianNode, GaussianNode)
    case sum([GaussianNode])
    case product([GaussianNode])
    case power(GaussianNode, GaussianNode)
    case log(GaussianNode)
    case exp(GaussianNode)
    /// `Σ_points Π weights · body`: the measures in an order where each one's parameters are
    /// bound before it.
    case integrate([GaussianMeasure], GaussianNode)
    case indexedSum(index: Int, from: GaussianNode, to: GaussianNode, body: GaussianNode)
    case norm2(GaussianNode)
    case builtin(GaussianBuiltin, GaussianNode)
    case bind(locals: [Int], arguments: [GaussianNode], body: GaussianNode)
}
