import Foundation

/// Evaluates a compiled side in one continuous instance at the current values of the
/// variables. Densities are their families' formulas; integrals are quadratures over the
/// measures chosen by the compiler, whose nodes depend on the values of the variables bound
/// outside them.
struct GaussianEvaluator {
    let program: GaussianProgram
    let instance: GaussianInstance
    /// The value of each variable (by slot): free variables from the assignment, bound ones
    /// at the current quadrature node.
    var values: [GaussianValue?]
    private var indices: [Int]
    private var locals: [GaussianValue]
    private var draws: [Int: GaussianFunctionDraw] = [:]
    /// One remembered (input, output) per function: measures re-evaluate their parameters at
    /// every node of an enclosing integral although the inputs rarely change.
    private var memo: [([Double], GaussianValue)?]
    /// Per function: its input variables, (rows, columns) in this instance, and role.
    private let functionInputs: [[Int]]
    private let functionSizes: [(Int, Int)]
    private let functionRoles: [GaussianRole]
    /// Per variable: its size in this instance and whether it is a label.
    private let sizes: [Int]
    private let isLabel: [Bool]

    init(program: GaussianProgram, instance: GaussianInstance) {
        self.program = program
        self.instance = instance
        values = Array(repeating: nil, count: program.schema.variables.count)
        indices = Array(repeating: 0, count: program.indexCount)
        locals = Array(repeating: .scalar(0), count: program.localCount)
        let dims = instance.dimensions
        memo = Array(repeating: nil, count: program.schema.functions.count)
        functionInputs = program.schema.functions.map(\.inputs)
        functionRoles = program.schema.functions.map(\.role)
        functionSizes = program.schema.functions.map { fn in
            switch fn.shape {
            case .scalar: return (1, 1)
            case .vector(let n): return (n.value(dims), 1)
            case .matrix(let r, let c): return (r.value(dims), c.value(dims))
            }
        }
        sizes = program.schema.variables.map { $0.size.value(dims) }
        isLabel = program.schema.variables.map { $0.kind == .label }
    }

    /// Sets the free variables to assignment `a`.
    mutating func assign(_ a: Int) {
        values = instance.assignments[a]
    }

    private var dims: [Int] { instance.dimensions }

    @inline(__always) private func size(_ v: Int) -> Int { sizes[v] }

    mutating func evaluate(_ node: GaussianNode) throws -> GaussianValue {
        switch node {
        case .constant(let c):
            return .scalar(c)
        case .dimension(let d):
            return .scalar(Double(dims[d]))
        case .parameter(let p):
            return instance.parameters[p]
        case .function(let f):
            let inputs = functionInputs[f]
            if inputs.count == 1 { return call(f, try inputEncoding(inputs[0])) }
            var u: [Double] = []
            for v in inputs { u += try inputEncoding(v) }
            return call(f, u)
        case .apply(let f, let args):
            var u: [Double] = []
            for a in args { u += try evaluate(a).entries }
            return call(f, u)
        case .variable(let v):
            return try value(v)
        case .local(let l):
            return locals[l]
        case .index(let j):
            return .scalar(Double(indices[j]))
        case .component(let base, let index):
            let b = try evaluate(base)
            let i: Int
            switch index {
            case .index(let j): i = indices[j]
            case .fixed(let n): i = n
            case .dimension(let d): i = dims[d]
            }
            if case .variable(let v) = base, isLabel[v] {
                // A label's component is its one-hot encoding: y_c = [y = c].
                return .scalar(b[0].rounded() == Double(i) ? 1 : 0)
            }
            switch b {
            case .scalar: return b
            case .vector(let xs), .row(let xs):
                guard i >= 1, i <= xs.count else { throw WitnessUnsupported("component \(i) of a vector of length \(xs.count)") }
                return .scalar(xs[i - 1])
            case .matrix(let m):
                guard i >= 1, i <= m.rows else { throw WitnessUnsupported("row \(i) of a \(m.rows) × \(m.cols) matrix") }
                return .vector(m.row(i - 1))
            }
        case .density(let ids, _):
            var s = 0.0
            for id in ids { s += try factorLogDensity(id) }
            return .scalar(Foundation.exp(s))
        case .normalDensity(let x, let m, let v):
            return .scalar(Foundation.exp(try logNormal(evaluate(x), evaluate(m), evaluate(v))))
        case .sum(let terms):
            guard let first = terms.first else { return .scalar(0) }
            var acc = try evaluate(first)
            for t in terms.dropFirst() { acc = try GaussianValue.add(acc, evaluate(t)) }
            return acc
        case .product(let factors):
            guard factors.count > 1 else { return try factors.first.map { try evaluate($0) } ?? .scalar(1) }
            var vs: [GaussianValue] = []
            vs.reserveCapacity(factors.count)
            for f in factors { vs.append(try evaluate(f)) }
            var acc = vs[0]
            for i in 1..<vs.count {
                // aᵀ v a with v a vector between two vectors: v is a diagonal matrix.
                if case .row(let r) = acc, case .vector(let d) = vs[i], r.count == d.count, i + 1 < vs.count,
                   case .vector(let next) = vs[i + 1], next.count == d.count {
                    acc = .row(zip(r, d).map(*))
                    continue
                }
                acc = try GaussianValue.multiply(acc, vs[i])
            }
            return acc
        case .power(let b, let e):
            return try GaussianValue.power(evaluate(b), evaluate(e))
        case .log(let a):
            switch a {
            case .density(let ids, _):
                var s = 0.0
                for id in ids { s += try factorLogDensity(id) }
                return .scalar(s)
            case .normalDensity(let x, let m, let v):
                return .scalar(try logNormal(evaluate(x), evaluate(m), evaluate(v)))
            default:
                return try evaluate(a).map(Foundation.log)
            }
        case .exp(let a):
            return try evaluate(a).map(Foundation.exp)
        case .integrate(let measures, let body):
            var acc: GaussianValue?
            var scalar = 0.0
            try integrate(measures, 0, 1, body, &scalar, &acc)
            if let acc { return try GaussianValue.add(acc, .scalar(scalar)) }
            return .scalar(scalar)
        case .indexedSum(let slot, let from, let to, let body):
            let lo = try integer(evaluate(from)), hi = try integer(evaluate(to))
            let saved = indices[slot]
            defer { indices[slot] = saved }
            var acc = GaussianValue.scalar(0)
            if lo <= hi {
                for j in lo...hi {
                    indices[slot] = j
                    acc = try GaussianValue.add(acc, evaluate(body))
                }
            }
            return acc
        case .norm2(let a):
            return .scalar(try evaluate(a).squaredNorm)
        case .builtin(let f, let a):
            let v = try evaluate(a)
            switch f {
            case .trace: return .scalar(v.trace)
            case .determinant: return .scalar(v.determinant)
            case .absolute: return v.map(Swift.abs)
            case .transpose: return v.transposed
            case .inverse: return v.inverse
            case .softmax:
                let xs = v.entries
                let m = xs.max() ?? 0
                let e = xs.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                return .vector(e.map { $0 / s })
            }
        case .atPoint(let slots, let points, let body):
            var bound: [GaussianValue] = []
            for (s, p) in zip(slots, points) {
                let x = try evaluate(p)
                let n = size(s)
                // A scalar expression of a vector variable is read componentwise (`mu + sigma eps`).
                switch x {
                case .scalar(let a): bound.append(n == 1 ? x : .vector(Array(repeating: a, count: n)))
                case .vector(let xs) where xs.count == n: bound.append(n == 1 ? .scalar(xs[0]) : x)
                default: throw WitnessUnsupported("a point of \(program.schema.variables[s].name) of the wrong size")
                }
            }
            let saved = slots.map { values[$0] }
            defer { for (s, v) in zip(slots, saved) { values[s] = v } }
            for (s, v) in zip(slots, bound) { values[s] = v }
            return try evaluate(body)
        case .bind(let slots, let arguments, let body):
            var args: [GaussianValue] = []
            for a in arguments { args.append(try evaluate(a)) }
            let saved = slots.map { locals[$0] }
            defer { for (s, v) in zip(slots, saved) { locals[s] = v } }
            for (s, v) in zip(slots, args) { locals[s] = v }
            return try evaluate(body)
        }
    }

    private func value(_ v: Int) throws -> GaussianValue {
        guard let x = values[v] else {
            throw WitnessUnsupported("\(program.schema.variables[v].name) has no value where it is used")
        }
        return x
    }

    private func integer(_ v: GaussianValue) throws -> Int {
        guard case .scalar(let x) = v, x.isFinite, abs(x - x.rounded()) < 1e-9 else {
            throw WitnessUnsupported("a sum bound that is not an integer")
        }
        return Int(x.rounded())
    }

    // MARK: functions

    /// A variable as a function input: its components; a label one-hot over its classes.
    private func inputEncoding(_ v: Int) throws -> [Double] {
        let x = try value(v)
        if isLabel[v] {
            let c = Int(x[0].rounded())
            return (1...max(1, size(v))).map { $0 == c ? 1 : 0 }
        }
        return x.entries
    }

    private mutating func call(_ f: Int, _ u: [Double]) -> GaussianValue {
        if let (input, output) = memo[f], input == u { return output }
        let (rows, cols) = functionSizes[f]
        let key = f &* 4096 &+ u.count
        let draw: GaussianFunctionDraw
        if let d = draws[key] {
            draw = d
        } else {
            var random = WitnessRandom(seed: instance.seed, UInt64(instance.index), 23, UInt64(instance.draw), UInt64(f), UInt64(u.count))
            draw = GaussianFunctionDraw(inputs: u.count, outputs: rows * cols, random: &random)
            draws[key] = draw
        }
        var raw = draw.raw(u)
        var result: GaussianValue
        switch functionRoles[f] {
        case .free, .symmetric, .lowerTriangular: break // roles of params only
        case .positive: raw = raw.map { Foundation.exp($0 / 2) }
        case .unitInterval: raw = raw.map { 1 / (1 + Foundation.exp(-$0)) }
        case .simplex:
            let m = raw.max() ?? 0
            let e = raw.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            raw = e.map { $0 / s }
        case .positiveDefinite:
            if rows == cols {
                let l = GaussianMatrix(rows: rows, cols: cols, values: raw.map { 0.6 * $0 })
                var s = l * l.transposed
                for i in 0..<rows { s[i, i] += 0.5 }
                raw = s.values
            } else {
                raw = raw.map { Foundation.exp($0 / 2) }
            }
        }
        switch program.schema.functions[f].shape {
        case .scalar: result = .scalar(raw[0])
        case .vector: result = .vector(raw)
        case .matrix: result = .matrix(GaussianMatrix(rows: rows, cols: cols, values: raw))
        }
        memo[f] = (u, result)
        return result
    }

    // MARK: densities

    /// `log N(x; m, V)`: diagonal when V is a number or a vector, full when it is a matrix.
    private func logNormal(_ x: GaussianValue, _ m: GaussianValue, _ v: GaussianValue) throws -> Double {
        let xe = x.entries, me = m.entries
        if case .matrix(let s) = v {
            let n = s.rows
            guard s.isSquare, xe.count == n || xe.count == 1, me.count == n || me.count == 1 else {
                throw WitnessUnsupported("N(x; m, V) with x \(x.shapeText), m \(m.shapeText), V \(v.shapeText)")
            }
            guard let l = s.cholesky else { return .nan }
            var y = (0..<n).map { (xe.count == 1 ? xe[0] : xe[$0]) - (me.count == 1 ? me[0] : me[$0]) }
            var logDet = 0.0
            for i in 0..<n {
                for k in 0..<i { y[i] -= l[i, k] * y[k] }
                y[i] /= l[i, i]
                logDet += 2 * Foundation.log(l[i, i])
            }
            let quad = y.reduce(0) { $0 + $1 * $1 }
            return -0.5 * (Double(n) * Foundation.log(2 * Double.pi) + logDet + quad)
        }
        if case .row = v { throw WitnessUnsupported("N(x; m, V) with V a row vector") }
        let ve = v.entries
        let n = max(xe.count, me.count, ve.count)
        for c in [xe.count, me.count, ve.count] where c != 1 && c != n {
            throw WitnessUnsupported("N(x; m, V) with x \(x.shapeText), m \(m.shapeText), V \(v.shapeText)")
        }
        var s = 0.0
        for i in 0..<n {
            let d = (xe.count == 1 ? xe[0] : xe[i]) - (me.count == 1 ? me[0] : me[i])
            let vi = ve.count == 1 ? ve[0] : ve[i]
            s += -0.5 * Foundation.log(2 * Double.pi * vi) - d * d / (2 * vi)
        }
        return s
    }

    /// The log-density of a factor at the current value of its variable.
    mutating func factorLogDensity(_ id: Int) throws -> Double {
        let f = program.factors[id]
        let x = try value(f.variable)
        switch f.family {
        case .normal(let mean, let variance):
            return try logNormal(x, evaluate(mean), evaluate(variance))
        case .bernoulliLogits(let logits):
            let l = try broadcast(evaluate(logits), size(f.variable), "the logits of \(f.text)")
            var s = 0.0
            for (j, xj) in x.entries.enumerated() {
                let t = l[j]
                let softplus = max(t, 0) + Foundation.log1p(Foundation.exp(-abs(t)))
                s += xj * t - softplus
            }
            return s
        case .bernoulli(let p):
            let pe = try broadcast(evaluate(p), size(f.variable), "the probabilities of \(f.text)")
            var s = 0.0
            for (j, xj) in x.entries.enumerated() { s += xj * Foundation.log(pe[j]) + (1 - xj) * Foundation.log(1 - pe[j]) }
            return s
        case .categorical(let p):
            let pe = try broadcast(evaluate(p), size(f.variable), "the probabilities of \(f.text)")
            let c = Int(x[0].rounded())
            guard c >= 1, c <= pe.count else { throw WitnessUnsupported("class \(c) of \(f.text)") }
            return Foundation.log(pe[c - 1])
        case .mixture(let w, let m, let v, let k):
            let components = try mixtureComponents(w, m, v, k, size(f.variable), f.text)
            var logs: [Double] = []
            for (weight, mean, variance) in components {
                logs.append(Foundation.log(weight) + (try logNormal(x, mean, variance)))
            }
            let top = logs.max() ?? -.infinity
            guard top.isFinite else { return top }
            return top + Foundation.log(logs.reduce(0) { $0 + Foundation.exp($1 - top) })
        case .delta:
            throw WitnessUnsupported("the value of the point mass \(f.text) (a Delta density has no value, only a point)")
        }
    }

    private func broadcast(_ v: GaussianValue, _ n: Int, _ what: String) throws -> [Double] {
        let e = v.entries
        if e.count == n { return e }
        if e.count == 1 { return Array(repeating: e[0], count: n) }
        throw WitnessUnsupported("\(what) is \(v.shapeText), for \(n) components")
    }

    /// The weight, mean and variance of each component of a mixture: row i of a K × D matrix,
    /// entry i of a vector of length K, or the value itself when shared.
    private mutating func mixtureComponents(_ w: GaussianNode, _ m: GaussianNode, _ v: GaussianNode, _ k: GaussianSize,
                                            _ d: Int, _ text: String) throws -> [(Double, GaussianValue, GaussianValue)] {
        let count = k.value(dims)
        let weights = try broadcast(evaluate(w), count, "the weights of \(text)")
        let means = try evaluate(m), variances = try evaluate(v)
        func component(_ x: GaussianValue, _ i: Int, _ what: String) throws -> GaussianValue {
            switch x {
            case .scalar: return x
            case .matrix(let a) where a.rows == count && (a.cols == d || a.cols == 1): return .vector(a.row(i))
            case .vector(let e) where e.count == count: return .scalar(e[i])
            case .vector(let e) where e.count == d: return x
            default: throw WitnessUnsupported("the \(what) of \(text) are \(x.shapeText), for \(count) components of dimension \(d)")
            }
        }
        return try (0..<count).map { i in (weights[i], try component(means, i, "means"), try component(variances, i, "variances")) }
    }

    // MARK: quadrature

    /// The points and weights of a measure at the current values of the outer variables.
    private mutating func points(_ m: GaussianMeasure) throws -> ([GaussianValue], [Double]) {
        let v = m.variable
        let d = size(v)
        switch m {
        case .counting:
            return discreteValues(v, d, probability: nil)
        case .normal(_, let mean, let variance, _):
            return try gaussianPoints(evaluate(mean), evaluate(variance), d, "N(\(program.schema.variables[v].name); …)")
        case .factor(_, let id):
            let f = program.factors[id]
            switch f.family {
            case .normal(let mean, let variance):
                return try gaussianPoints(evaluate(mean), evaluate(variance), d, f.text)
            case .mixture(let w, let mean, let variance, let k):
                var pts: [GaussianValue] = [], ws: [Double] = []
                for (weight, mk, vk) in try mixtureComponents(w, mean, variance, k, d, f.text) {
                    let (p, q) = try gaussianPoints(mk, vk, d, f.text)
                    pts += p
                    ws += q.map { $0 * weight }
                }
                return (pts, ws)
            case .delta(let point):
                return ([.vector(try broadcast(evaluate(point), d, "the point of \(f.text)"))], [1])
            case .bernoulliLogits(let logits):
                let l = try broadcast(evaluate(logits), d, "the logits of \(f.text)")
                return discreteValues(v, d, probability: l.map { 1 / (1 + Foundation.exp(-$0)) })
            case .bernoulli(let p):
                return discreteValues(v, d, probability: try broadcast(evaluate(p), d, "the probabilities of \(f.text)"))
            case .categorical(let p):
                return discreteValues(v, d, probability: try broadcast(evaluate(p), d, "the probabilities of \(f.text)"))
            }
        }
    }

    /// Every value of a discrete variable: weight one, or its probability (per component
    /// for a binary variable, per class for a label).
    private func discreteValues(_ v: Int, _ d: Int, probability: [Double]?) -> ([GaussianValue], [Double]) {
        if isLabel[v] {
            return ((1...max(1, d)).map { .scalar(Double($0)) }, (0..<max(1, d)).map { probability?[$0] ?? 1 })
        }
        var pts: [GaussianValue] = [], ws: [Double] = []
        for code in 0..<(1 << d) {
            let bits = (0..<d).map { Double((code >> $0) & 1) }
            pts.append(.vector(bits))
            if let p = probability {
                ws.append((0..<d).reduce(1.0) { $0 * (bits[$1] == 1 ? p[$1] : 1 - p[$1]) })
            } else {
                ws.append(1)
            }
        }
        return (pts, ws)
    }

    /// Gauss–Hermite points of N(mean, variance) in dimension d (tensor product; a full
    /// covariance through its Cholesky factor).
    private func gaussianPoints(_ mean: GaussianValue, _ variance: GaussianValue, _ d: Int,
                                _ what: String) throws -> ([GaussianValue], [Double]) {
        let m = try broadcast(mean, d, "the mean of \(what)")
        let grid = GaussianQuadrature.grid(dimension: d, nodes: instance.nodesPerComponent)
        if case .matrix(let s) = variance {
            guard s.rows == d, s.cols == d else { throw WitnessUnsupported("the covariance of \(what) is \(variance.shapeText) in dimension \(d)") }
            guard let l = s.cholesky else { throw WitnessUnsupported("the covariance of \(what) is not positive definite") }
            let pts = grid.points.map { t -> GaussianValue in
                .vector((0..<d).map { i in
                    var x = m[i]
                    for k in 0...i { x += l[i, k] * t[k] }
                    return x
                })
            }
            return (pts, grid.weights)
        }
        let s = try broadcast(variance, d, "the variance of \(what)").map { $0.squareRoot() }
        let pts = grid.points.map { t in GaussianValue.vector((0..<d).map { m[$0] + s[$0] * t[$0] }) }
        return (pts, grid.weights)
    }

    private mutating func integrate(_ measures: [GaussianMeasure], _ k: Int, _ weight: Double, _ body: GaussianNode,
                                    _ scalar: inout Double, _ acc: inout GaussianValue?) throws {
        if k == measures.count {
            let v = try evaluate(body)
            if case .scalar(let x) = v {
                scalar += weight * x
            } else {
                let w = v.map { weight * $0 }
                acc = try acc.map { try GaussianValue.add($0, w) } ?? w
            }
            return
        }
        let slot = measures[k].variable
        let (pts, ws) = try points(measures[k])
        let saved = values[slot]
        defer { values[slot] = saved }
        for (p, w) in zip(pts, ws) where w != 0 {
            values[slot] = p
            try integrate(measures, k + 1, weight * w, body, &scalar, &acc)
        }
    }
}
