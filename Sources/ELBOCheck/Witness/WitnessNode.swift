/// A step side compiled for evaluation: names are resolved to slots (variables, dimension
/// symbols, learnable symbols, sum indices, arguments of `define`d shorthands) and every
/// density to an id whose table each instance provides. The compiler (`WitnessCompiler`)
/// and the interpreter (`WitnessEvaluator`) each switch over every case without `default`.
indirect enum WitnessNode {
    /// A literal.
    case constant(Double)
    /// The value of a dimension symbol in the instance.
    case dimension(Int)
    /// The value of a learnable symbol (`param`, family parameter, network output).
    case parameter(Int)
    /// A variable used as a number: the point currently assigned to it.
    case variable(Int)
    /// An argument of a `define`d shorthand.
    case local(Int)
    /// A sum index used as a number.
    case index(Int)
    /// Component `index` (1-based) of a vector.
    case component(WitnessNode, WitnessIndex)
    /// Component `index` of a label variable's one-hot encoding: 1 when its class is `index`.
    case oneHot(Int, WitnessIndex)
    /// The value of a conditional density at the current assignment.
    case density(Int)
    /// `N(point; mean, variance)`, diagonal: the product over components.
    case normalDensity(WitnessNode, WitnessNode, WitnessNode)
    case sum([WitnessNode])
    case product([WitnessNode])
    case power(WitnessNode, WitnessNode)
    case log(WitnessNode)
    case exp(WitnessNode)
    /// `Σ_points w · body` over the variables.
    case integral([Int], WitnessNode)
    /// `Σ_points w · M · body` over the left variables of the measure M.
    case expectation([Int], measure: WitnessNode, body: WitnessNode)
    /// `Σ_points w · P · (log P − log Q)` over the left variables of P.
    case kl([Int], WitnessNode, WitnessNode)
    /// `−Σ_points w · P · log P` over the left variables of P.
    case entropy([Int], WitnessNode)
    /// `Σ_{index=from}^{to} body`.
    case indexedSum(index: Int, from: WitnessNode, to: WitnessNode, body: WitnessNode)
    /// Sum of squared components.
    case norm2(WitnessNode)
    /// A built-in function of one argument.
    case builtin(WitnessBuiltin, WitnessNode)
    /// A `define`d shorthand: the arguments are evaluated and bound to the local slots
    /// while the body is evaluated (substitution, by value).
    case bind(locals: [Int], arguments: [WitnessNode], body: WitnessNode)
}

/// The index of a component: a sum index, a literal, or a dimension symbol's value (in the
/// nodes of both witnesses; see `DefinitionScope`).
enum WitnessIndex {
    case index(Int)
    case fixed(Int)
    case dimension(Int)
}

/// Functions the witness knows. Matrices are diagonal: a covariance is its vector of variances.
enum WitnessBuiltin: String {
    case trace = "tr"
    case determinant = "det"
    case absolute = "abs"
    case transpose
    case inverse
}
