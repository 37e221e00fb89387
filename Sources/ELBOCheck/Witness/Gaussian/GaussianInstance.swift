import Foundation

/// One continuous instance of a program: dimension values, the quadrature size, the values
/// of the `param`s (learnable draw `draw`), and the values of the free variables at each
/// assignment (shared by every learnable draw, like the dimensions: they are data).
/// Family parameters and network outputs are random smooth functions drawn on demand from
/// the learnable stream (see `GaussianFunctionDraw`).
struct GaussianInstance {
    var seed: UInt64
    var index: Int
    var draw: Int
    var dimensions: [Int]
    /// Gauss–Hermite nodes per component of a Normal measure.
    var nodesPerComponent: Int
    var parameters: [GaussianValue]
    /// Per assignment, the value of each free variable (by slot; nil for the others).
    var assignments: [[GaussianValue?]]

    /// Largest number of integrand evaluations per side and assignment before the instance
    /// uses fewer nodes, then smaller dimensions, then gives up.
    static let evaluationBudget = 700.0
    /// Assignments of the free variables per instance.
    static let assignmentCount = 3

    init(program: GaussianProgram, seed: UInt64, index: Int, draw: Int) throws {
        self.seed = seed
        self.index = index
        self.draw = draw
        let schema = program.schema
        // Dimensions cycle through 1, 2, 3 (class counts through 2, 3), offset per symbol.
        var dims = schema.dimensions.indices.map { d -> Int in
            schema.labelDimensions.contains(d) ? (index + d) % 2 + 2 : (index + d) % 3 + 1
        }
        var chosen: Int?
        for cap in [3, 2, 1] {
            dims = dims.enumerated().map { schema.labelDimensions.contains($0.offset) ? $0.element : min($0.element, cap) }
            if let n = GaussianInstance.nodes(program, dims) { chosen = n; break }
        }
        guard let n = chosen else {
            throw WitnessUnsupported("the quadrature needs more than \(Int(GaussianInstance.evaluationBudget)) integrand "
                + "evaluations per side even with every dimension 1")
        }
        dimensions = dims
        nodesPerComponent = n

        var learnable = WitnessRandom(seed: seed, UInt64(index), 22, UInt64(draw))
        parameters = schema.parameters.map { p in
            if let b = p.bound, case .scalar = p.shape { return .scalar(b.witnessValue(&learnable)) }
            if let b = p.bound, case .vector(let n) = p.shape {
                return .vector((0..<n.value(dims)).map { _ in b.witnessValue(&learnable) })
            }
            return GaussianInstance.randomValue(shape: p.shape, role: p.role, dims: dims, random: &learnable)
        }
        var structure = WitnessRandom(seed: seed, UInt64(index), 21)
        assignments = (0..<GaussianInstance.assignmentCount).map { _ in
            var values = [GaussianValue?](repeating: nil, count: schema.variables.count)
            for v in program.freeVariables {
                let variable = schema.variables[v]
                let size = variable.size.value(dims)
                switch variable.kind {
                case .real: values[v] = .vector((0..<size).map { _ in 1.5 * structure.normal() })
                case .binary: values[v] = .vector((0..<size).map { _ in Double(structure.below(2)) })
                case .label: values[v] = .scalar(Double(structure.below(max(1, size)) + 1))
                }
            }
            return values
        }
    }

    /// The most nodes per component (2…12) keeping the evaluation count within budget.
    private static func nodes(_ program: GaussianProgram, _ dims: [Int]) -> Int? {
        for n in stride(from: GaussianQuadrature.maximumNodes, through: GaussianQuadrature.minimumNodes, by: -1) {
            let c = program.sides.map { cost($0, program, n, dims) }.max() ?? 0
            if c <= evaluationBudget { return n }
        }
        return nil
    }

    /// Integrand evaluations of a node with `n` nodes per component.
    private static func cost(_ node: GaussianNode, _ program: GaussianProgram, _ n: Int, _ dims: [Int]) -> Double {
        func c(_ x: GaussianNode) -> Double { cost(x, program, n, dims) }
        func size(_ v: Int) -> Double { Double(program.schema.variables[v].size.value(dims)) }
        func points(_ m: GaussianMeasure) -> Double {
            let v = m.variable
            let d = size(v)
            switch m {
            case .factor(_, let id):
                switch program.factors[id].family {
                case .normal: return Foundation.pow(Double(n), d)
                case .mixture(_, _, _, let k): return Double(k.value(dims)) * Foundation.pow(Double(n), d)
                case .delta: return 1
                case .bernoulli, .bernoulliLogits: return Foundation.pow(2, d)
                case .categorical: return d
                }
            case .normal: return Foundation.pow(Double(n), d)
            case .counting:
                return program.schema.variables[v].kind == .binary ? Foundation.pow(2, d) : d
            }
        }
        switch node {
        case .constant, .dimension, .parameter, .function, .variable, .local, .index, .density: return 0
        case .apply(_, let xs), .sum(let xs), .product(let xs): return xs.reduce(0) { $0 + c($1) }
        case .component(let a, _), .log(let a), .exp(let a), .norm2(let a), .builtin(_, let a): return c(a)
        case .normalDensity(let a, let b, let d): return c(a) + c(b) + c(d)
        case .power(let a, let b): return c(a) + c(b)
        case .integrate(let ms, let body): return ms.reduce(1.0) { $0 * points($1) } * (1 + c(body))
        case .indexedSum(_, let from, let to, let body):
            func bound(_ x: GaussianNode) -> Double? {
                switch x {
                case .constant(let v): return v
                case .dimension(let d): return Double(dims[d])
                default: return nil
                }
            }
            let count = (bound(from).flatMap { f in bound(to).map { $0 - f + 1 } }) ?? 3
            return max(1, count) * (1 + c(body))
        case .bind(_, let args, let body): return args.reduce(c(body)) { $0 + c($1) }
        case .atPoint(_, let values, let body): return values.reduce(c(body)) { $0 + c($1) }
        }
    }

    /// A random `param` value.
    static func randomValue(shape: GaussianShape, role: GaussianRole, dims: [Int], random: inout WitnessRandom) -> GaussianValue {
        func entries(_ n: Int) -> [Double] {
            switch role {
            case .free, .symmetric, .lowerTriangular: return (0..<n).map { _ in random.uniform(-1.5, 1.5) }
            case .positive, .positiveDefinite: return (0..<n).map { _ in random.uniform(0.3, 2) }
            case .unitInterval: return (0..<n).map { _ in random.uniform(0.1, 0.9) }
            case .simplex:
                let w = (0..<n).map { _ in random.uniform(0.2, 1) }
                let s = w.reduce(0, +)
                return w.map { $0 / s }
            }
        }
        switch shape {
        case .scalar:
            return .scalar(entries(1)[0])
        case .vector(let n):
            return .vector(entries(n.value(dims)))
        case .matrix(let r, let c):
            let (rows, cols) = (r.value(dims), c.value(dims))
            if role == .positiveDefinite && rows == cols {
                let a = GaussianMatrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in random.uniform(-1, 1) })
                var s = a * a.transposed
                for i in 0..<rows { s[i, i] += 0.5 }
                return .matrix(s)
            }
            var m = GaussianMatrix(rows: rows, cols: cols, values: entries(rows * cols))
            if role == .symmetric && rows == cols {
                for i in 0..<rows { for j in 0..<i { m[j, i] = m[i, j] } }
            } else if role == .lowerTriangular && rows == cols {
                for i in 0..<rows {
                    for j in (i + 1)..<cols { m[i, j] = 0 }
                    m[i, i] = random.uniform(0.3, 2)
                }
            }
            return .matrix(m)
        }
    }
}

/// The coefficients of one random smooth function `u ↦ c ⊙ tanh(A u + b) + d` (then mapped
/// to the function's role: `exp(·/2)` for positive values, a logistic for (0, 1), softmax for
/// weights, `L Lᵀ + 0.5 I` for a covariance).
struct GaussianFunctionDraw {
    var inputCount: Int
    var outputCount: Int
    var a: [Double]
    var b: [Double]
    var c: [Double]
    var d: [Double]

    init(inputs: Int, outputs: Int, random: inout WitnessRandom) {
        inputCount = inputs
        outputCount = outputs
        let scale = 0.8 / Double(max(1, inputs)).squareRoot()
        a = (0..<(inputs * outputs)).map { _ in scale * random.normal() }
        b = (0..<outputs).map { _ in random.uniform(-0.5, 0.5) }
        c = (0..<outputs).map { _ in (random.below(2) == 0 ? -1 : 1) * random.uniform(0.5, 1.5) }
        d = (0..<outputs).map { _ in random.uniform(-1, 1) }
    }

    func raw(_ u: [Double]) -> [Double] {
        (0..<outputCount).map { i in
            var s = b[i]
            for j in 0..<inputCount { s += a[i * inputCount + j] * u[j] }
            return c[i] * Foundation.tanh(s) + d[i]
        }
    }
}

extension WitnessRandom {
    /// A standard normal number (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(uniform(0, 1), 1e-300), u2 = uniform(0, 1)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}
