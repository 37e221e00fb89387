import Foundation

/// A reference interpreter of the IR in Double: the meaning of each op, independent of the
/// generated code and of the runtime's fast math. Tests check the derivative table against
/// finite differences of this interpreter.
public struct KernelEvaluator {
    /// The size of every dimension symbol.
    public var dims: [String: Int]
    /// Per-example inputs (one example) and incoming gradients, by name; scalars have one value.
    public var inputs: [String: [Double]]
    /// Parameters by name, row-major.
    public var params: [String: [Double]]
    /// The value of the `seed` leaf.
    public var seed: Double

    public init(dims: [String: Int], inputs: [String: [Double]] = [:], params: [String: [Double]] = [:],
                seed: Double = 1) {
        self.dims = dims; self.inputs = inputs; self.params = params; self.seed = seed
    }

    /// The meaning of a pointwise op on numbers (nil for leaves and reductions).
    public static func pointwise(_ op: KernelOp, _ a: [Double]) -> Double? {
        switch op {
        case .constant, .input, .param, .dimension, .seed, .incomingGradient, .sum, .logsumexp: return nil
        case .add: return a[0] + a[1]
        case .sub: return a[0] - a[1]
        case .mul: return a[0] * a[1]
        case .div: return a[0] / a[1]
        case .neg: return -a[0]
        case .powInt(let n): return Foundation.pow(a[0], Double(n))
        case .powReal(let r): return Foundation.pow(a[0], r)
        case .sqrt: return a[0].squareRoot()
        case .log: return Foundation.log(a[0])
        case .exp: return Foundation.exp(a[0])
        case .softplus: return max(a[0], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(a[0])))
        case .sigmoid:
            let e = Foundation.exp(-Swift.abs(a[0]))
            return (a[0] >= 0 ? 1 : e) / (1 + e)
        case .logsigmoid: return min(a[0], 0) - Foundation.log1p(Foundation.exp(-Swift.abs(a[0])))
        case .log1p, .log1pUnit: return Foundation.log1p(a[0])
        case .expm1: return Foundation.expm1(a[0])
        case .expNegAbs: return Foundation.exp(-Swift.abs(a[0]))
        case .abs: return Swift.abs(a[0])
        case .relu: return max(a[0], 0)
        case .ifNonNegative: return a[0] >= 0 ? a[1] : a[2]
        }
    }

    /// The value of `id` at the given loop indices (one per level of its path, or more).
    public func value(_ id: ValueID, in graph: KernelGraph, at indices: [LoopLevel: Int] = [:]) -> Double {
        var memo: [MemoKey: Double] = [:]
        return evaluate(id, graph, indices, &memo)
    }

    struct MemoKey: Hashable { var id: ValueID; var indices: [Int] }

    func size(_ dimension: String) -> Int {
        if let n = Int(dimension) { return n }
        guard let n = dims[dimension] else { preconditionFailure("KernelEvaluator: dimension '\(dimension)' not given") }
        return n
    }

    func evaluate(_ id: ValueID, _ g: KernelGraph, _ indices: [LoopLevel: Int], _ memo: inout [MemoKey: Double]) -> Double {
        let node = g[id]
        let key = MemoKey(id: id, indices: node.path.map { indices[$0] ?? -1 })
        if let v = memo[key] { return v }
        let v: Double
        switch node.op {
        case .constant(let c): v = c
        case .input(let n, let ls), .incomingGradient(let n, let ls):
            v = element(inputs[n], n, ls, indices)
        case .param(let n, let ls): v = element(params[n], n, ls, indices)
        case .dimension(let d): v = Double(size(d))
        case .seed: v = seed
        case .sum(let l):
            var s = 0.0
            for i in 0..<size(l.dimension) {
                var inner = indices
                inner[l] = i
                s += evaluate(node.args[0], g, inner, &memo)
            }
            v = s
        case .logsumexp(let l):
            let xs = (0..<size(l.dimension)).map { i -> Double in
                var inner = indices
                inner[l] = i
                return evaluate(node.args[0], g, inner, &memo)
            }
            let m = xs.max() ?? -.infinity
            v = m.isFinite ? m + Foundation.log(xs.reduce(0) { $0 + Foundation.exp($1 - m) }) : m
        default:
            v = KernelEvaluator.pointwise(node.op, node.args.map { evaluate($0, g, indices, &memo) })!
        }
        memo[key] = v
        return v
    }

    func element(_ values: [Double]?, _ name: String, _ levels: [LoopLevel], _ indices: [LoopLevel: Int]) -> Double {
        guard let values else { preconditionFailure("KernelEvaluator: no values for '\(name)'") }
        var flat = 0
        for l in levels {
            guard let i = indices[l] else { preconditionFailure("KernelEvaluator: '\(name)' read outside loop \(l)") }
            flat = flat * size(l.dimension) + i
        }
        return values[flat]
    }
}
