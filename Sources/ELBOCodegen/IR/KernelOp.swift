/// One loop of a kernel: components `0 ..< dimension` at nesting depth `depth` (0 for a loop
/// directly in the per-example body). Two sums over the same dimension at the same depth
/// share a level, so their bodies can share values and be fused into one loop.
public struct LoopLevel: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A dimension symbol such as `k`, or an integer literal such as `10`.
    public var dimension: String
    public var depth: Int
    public init(dimension: String, depth: Int) { self.dimension = dimension; self.depth = depth }
    public static func < (a: LoopLevel, b: LoopLevel) -> Bool {
        (a.depth, a.dimension) < (b.depth, b.dimension)
    }
    public var description: String { "\(dimension)@\(depth)" }
}

/// The operations of the kernel IR, as data. Every op has exactly one entry in the derivative
/// table (`KernelGraph.partials`), which switches over this enum without a `default`.
public enum KernelOp: Hashable, Sendable {
    // Leaves.
    /// A literal.
    case constant(Double)
    /// A per-example input: a scalar (no levels) or the component at the given loop levels.
    case input(String, levels: [LoopLevel])
    /// A learnable parameter: a scalar, or the component at the given levels (row-major).
    case param(String, levels: [LoopLevel])
    /// The size of a dimension, as a number.
    case dimension(String)
    /// The adjoint of the per-example loss: 1 / batch size, so that gradients are of the mean.
    case seed
    /// The incoming gradient of a sampler output (the seed of a sampler's backward).
    case incomingGradient(String, levels: [LoopLevel])

    // Arithmetic.
    case add, sub, mul, div, neg
    /// xⁿ for an integer n.
    case powInt(Int)
    /// xʳ for a real constant r (x > 0).
    case powReal(Double)
    case sqrt, log, exp

    // Numerically safe forms.
    /// log(1 + eᵃ).
    case softplus
    /// 1 / (1 + e^−a).
    case sigmoid
    /// log σ(a) = −softplus(−a).
    case logsigmoid
    /// log(1 + a), accurate for small a.
    case log1p
    /// eᵃ − 1, accurate for small a.
    case expm1
    /// log(1 + a) for 0 ≤ a ≤ 1 only: the e^−|a| of an expanded softplus, where a short
    /// series is cheaper than a logarithm.
    case log1pUnit

    // Piecewise pieces, used when safe forms are expanded so that they share e^−|a|.
    /// e^−|a|, the piece the expanded safe forms share: in [0, 1], so its exponential needs
    /// no overflow guard.
    case expNegAbs
    case abs
    /// max(a, 0).
    case relu
    /// `c ≥ 0 ? a : b` with arguments (c, a, b).
    case ifNonNegative

    // Reductions over the last level of the argument's path.
    /// Σ over the level.
    case sum(LoopLevel)
    /// log Σ exp over the level, shifted by the maximum.
    case logsumexp(LoopLevel)

    /// Whether the op is a leaf (no arguments).
    public var isLeaf: Bool {
        switch self {
        case .constant, .input, .param, .dimension, .seed, .incomingGradient: return true
        default: return false
        }
    }

    /// The level a reduction removes.
    public var reducedLevel: LoopLevel? {
        switch self {
        case .sum(let l), .logsumexp(let l): return l
        default: return nil
        }
    }

    /// A short name for dumps and tests.
    public var name: String {
        switch self {
        case .constant(let c): return "\(c)"
        case .input(let n, let ls), .param(let n, let ls), .incomingGradient(let n, let ls):
            return ls.isEmpty ? n : "\(n)[\(ls.map(\.description).joined(separator: ","))]"
        case .dimension(let d): return "dim(\(d))"
        case .seed: return "seed"
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        case .neg: return "neg"
        case .powInt(let n): return "^\(n)"
        case .powReal(let r): return "^\(r)"
        case .sqrt: return "sqrt"
        case .log: return "log"
        case .exp: return "exp"
        case .softplus: return "softplus"
        case .sigmoid: return "sigmoid"
        case .logsigmoid: return "logsigmoid"
        case .log1p: return "log1p"
        case .expm1: return "expm1"
        case .log1pUnit: return "log1pUnit"
        case .expNegAbs: return "expNegAbs"
        case .abs: return "abs"
        case .relu: return "relu"
        case .ifNonNegative: return "ifNonNegative"
        case .sum(let l): return "sum[\(l)]"
        case .logsumexp(let l): return "logsumexp[\(l)]"
        }
    }
}

/// A value of the IR: an index into a `KernelGraph`'s arena.
public typealias ValueID = Int

/// One SSA value: an op applied to earlier values, living at a loop path (the loops it is
/// computed inside, outermost first; empty for a per-example scalar).
public struct KernelNode: Hashable, Sendable {
    public var op: KernelOp
    public var args: [ValueID]
    public var path: [LoopLevel]
}
