import Foundation
import ELBOAlgebra
import ELBORuntime

/// Evaluates the values a picture needs by walking the spec's model from what is known:
/// a network output by running its network on its inputs, a latent by sampling its family in
/// the model (mean + √variance · noise), a `param` from the trained parameters. Presets (one-hot
/// labels, or every value of a forward pass for reconstructions) are taken as given.
///
/// It knows nothing of the kernel's loss: networks are run through `runNetwork`.
struct AncestralEvaluator {
    let plan: PicturePlan
    let dims: [String: Int]
    /// The examples per value.
    let rows: Int
    /// Runs a network by name on named inputs; returns its outputs by name.
    let runNetwork: (String, [String: Tensor]) -> [String: Tensor]
    /// The kernel parameters by name.
    let params: [String: Tensor]
    /// Standard normal noise for latent `name`: `(name, width, dependsOnLabel)` → rows×width values.
    let noise: (String, Int, Bool) -> [Float]

    private(set) var values: [String: Field] = [:]
    /// Values computed from a label input, directly or through networks and samples.
    private(set) var labelDependent: Set<String> = []
    private var inProgress: Set<String> = []

    init(plan: PicturePlan, dims: [String: Int], rows: Int, presets: [String: Tensor], labelPresets: Set<String>,
         runNetwork: @escaping (String, [String: Tensor]) -> [String: Tensor], params: [String: Tensor],
         noise: @escaping (String, Int, Bool) -> [Float]) {
        self.plan = plan; self.dims = dims; self.rows = rows; self.runNetwork = runNetwork
        self.params = params; self.noise = noise
        values = presets.mapValues(Field.init)
        labelDependent = labelPresets
    }

    /// The image rows the plan draws, values in [0, 1] when the model is sensible.
    mutating func image() throws -> Tensor {
        switch plan.image {
        case .sigmoid(let f): return try evaluate(f).map { 1 / (1 + Foundation.exp(-$0)) }.broadcastImage(self)
        case .identity(let e): return try evaluate(e).broadcastImage(self)
        }
    }

    /// The value of a named symbol, computing it (and what it needs) on first use.
    mutating func value(_ name: String) throws -> Field {
        if let v = values[name] { return v }
        guard !inProgress.contains(name) else { throw PictureError("\(name) depends on itself") }
        inProgress.insert(name)
        defer { inProgress.remove(name) }
        let decl = plan.declarations
        if let net = decl.networks.first(where: { $0.outputs.contains(name) }) {
            var inputs: [String: Tensor] = [:]
            for i in net.inputs {
                let v = try value(i)
                let w = try widthOf(i)
                inputs[i] = try v.broadcast(rows: rows, width: w).tensor
            }
            let dependent = net.inputs.contains { labelDependent.contains($0) }
            for (o, t) in runNetwork(net.name, inputs) {
                values[o] = Field(t)
                if dependent { labelDependent.insert(o) }
            }
            guard let v = values[name] else { throw PictureError("network \(net.name) did not produce \(name)") }
            return v
        }
        if let variable = decl.variable(name) {
            let v = try sample(variable)
            values[name] = v
            return v
        }
        if let p = params[name] {
            let v = Field(rows: 1, width: p.count, data: p.data)
            values[name] = v
            return v
        }
        throw PictureError("cannot evaluate \(name): it is no network output, variable or parameter")
    }

    /// Draws `variable` from its family in the model.
    private mutating func sample(_ variable: Variable) throws -> Field {
        guard variable.role != .input else {
            throw PictureError("input \(variable.name) has no value to draw pictures with")
        }
        guard let family = PicturePlan.family(of: variable.name, model: plan.model, in: plan.declarations),
              family.density.variables == [variable.name] else {
            throw PictureError("no family of \(variable.name) alone in the model, so it cannot be sampled")
        }
        let w = try widthOf(variable.name)
        switch family.kind {
        case .normal(let meanExpr, let varianceExpr):
            let mean = try evaluate(meanExpr), variance = try evaluate(varianceExpr)
            let dependent = (meanExpr.symbols.union(varianceExpr.symbols)).contains { labelDependent.contains($0) }
            if dependent { labelDependent.insert(variable.name) }
            let eps = Field(rows: rows, width: w, data: noise(variable.name, w, dependent))
            let scaled = try variance.map { $0.squareRoot() }.zip(eps, *)
            return try mean.zip(scaled, +).broadcast(rows: rows, width: w)
        case .delta(let f):
            let v = try evaluate(f)
            if f.symbols.contains(where: { labelDependent.contains($0) }) { labelDependent.insert(variable.name) }
            return try v.broadcast(rows: rows, width: w)
        case .mixtureNormal(let weightsExpr, let meansExpr, let variancesExpr, _):
            // A component per row, chosen with probability W_i / Σ_l W_l (a uniform draw made from
            // a standard normal one through its CDF), then that component's mean + √variance · noise.
            let weights = try evaluate(weightsExpr), means = try evaluate(meansExpr), variances = try evaluate(variancesExpr)
            let k = weights.width
            guard weights.rows == 1, means.rows == 1, variances.rows == 1, k > 0,
                  means.width == k * w, variances.width == k * w else {
                throw PictureError("the mixture of \(variable.name) needs \(k) weights and \(k)×\(w) means and variances")
            }
            let total = weights.data.reduce(0, +)
            let picks = noise(variable.name + "#component", 1, false)
            let eps = noise(variable.name, w, false)
            var out = [Float](repeating: 0, count: rows * w)
            for r in 0..<rows {
                var target = Float(0.5 * Foundation.erfc(-Double(picks[r]) / 2.0.squareRoot())) * total
                var i = 0
                while i < k - 1 && target > weights.data[i] { target -= weights.data[i]; i += 1 }
                for j in 0..<w {
                    out[r * w + j] = means.data[i * w + j] + variances.data[i * w + j].squareRoot() * eps[r * w + j]
                }
            }
            return Field(rows: rows, width: w, data: out)
        default:
            throw PictureError("sampling \(variable.name) from \(family.kind) is not supported")
        }
    }

    private func widthOf(_ name: String) throws -> Int {
        if let v = plan.declarations.variable(name) { return try plan.width(of: v, dims: dims) }
        if let f = values[name] { return f.width }
        throw PictureError("unknown width of \(name)")
    }

    /// Evaluates a per-component expression of the spec (a family's parameters).
    mutating func evaluate(_ e: Expr) throws -> Field {
        switch e {
        case .number(let r): return Field(scalar: Float(r.doubleValue))
        case .constant(let c): return Field(scalar: c == .pi ? Float.pi : Float(M_E))
        case .symbol(let s): return try value(s)
        case .sum(let terms):
            var acc = Field(scalar: 0)
            for t in terms { acc = try acc.zip(try evaluate(t), +) }
            return acc
        case .product(let factors):
            var acc = Field(scalar: 1)
            for f in factors { acc = try acc.zip(try evaluate(f), *) }
            return acc
        case .power(let base, let exponent):
            return try evaluate(base).zip(try evaluate(exponent)) { Foundation.pow($0, $1) }
        case .exp(let x): return try evaluate(x).map { Foundation.exp($0) }
        case .log(let x): return try evaluate(x).map { Foundation.log($0) }
        case .apply("abs", let args) where args.count == 1: return try evaluate(args[0]).map { Swift.abs($0) }
        default: throw PictureError("cannot evaluate \(e) for a picture")
        }
    }
}

private extension Field {
    /// The image as `[rows, pixels]`.
    func broadcastImage(_ evaluator: AncestralEvaluator) throws -> Tensor {
        try broadcast(rows: evaluator.rows, width: try evaluator.plan.width(of: evaluator.plan.observed, dims: evaluator.dims)).tensor
    }
}
