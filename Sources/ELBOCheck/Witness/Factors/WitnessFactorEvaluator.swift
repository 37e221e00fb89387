import Foundation

/// A value of the witness by factors: a sum of products of factors (`Σ_terms Π_factors`).
/// Densities stay products of their joint's small tables, the log of a product of
/// non-negative factors is the sum of their logs, and an expectation is eliminated term by
/// term, so no table spans more variables than one term needs.
typealias WitnessFactorSum = [[WitnessFactor]]

/// One instance in factor form: the finite domains and symbol values of an instance, and each
/// density of the program as factors of its joint (the numerator `p(left, given)` with the
/// other variables eliminated, times the reciprocal of `p(given)`).
struct WitnessFactorWorld {
    var sizes: [Int]
    var weights: [[Double]]
    var values: [[WitnessValue]]
    var dimensions: [Int]
    var parameters: [WitnessValue]
    /// Per density id of the program.
    var densities: [[WitnessFactor]]
}

/// The interpreter of the witness by factors: the same nodes as `WitnessEvaluator`, each
/// evaluated to a `WitnessFactorSum` over its free variables instead of at one assignment.
struct WitnessFactorEvaluator {
    let world: WitnessFactorWorld
    let elimination: WitnessElimination
    private var indices: [Int]
    private var locals: [WitnessFactorSum]
    /// Above this many terms a product of two sums is multiplied out into one factor.
    private let maximumTerms = 64

    init(world: WitnessFactorWorld, program: WitnessProgram, limit: Int) {
        self.world = world
        elimination = WitnessElimination(sizes: world.sizes, weights: world.weights, limit: limit)
        indices = Array(repeating: 0, count: program.indexCount)
        locals = Array(repeating: [[.constant(0)]], count: program.localCount)
    }

    private static func constant(_ c: Double) -> WitnessFactorSum { [[.constant(c)]] }

    mutating func evaluate(_ node: WitnessNode) throws -> WitnessFactorSum {
        switch node {
        case .constant(let c):
            return Self.constant(c)
        case .dimension(let slot):
            return Self.constant(Double(world.dimensions[slot]))
        case .parameter(let slot):
            guard case .scalar(let x) = world.parameters[slot] else { throw Self.vector }
            return Self.constant(x)
        case .variable(let slot):
            return [[try variableFactor(slot) { v in
                guard case .scalar(let x) = v else { throw Self.vector }
                return x
            }]]
        case .local(let slot):
            return locals[slot]
        case .index(let slot):
            return Self.constant(Double(indices[slot]))
        case .component(let base, let index):
            let i: Int
            switch index {
            case .index(let slot): i = indices[slot]
            case .fixed(let n): i = n
            case .dimension(let slot): i = world.dimensions[slot]
            }
            func pick(_ v: WitnessValue) throws -> Double {
                guard case .vector(let xs) = v else { return v[0] }
                guard i >= 1, i <= xs.count else { throw WitnessUnsupported("component \(i) of a vector of length \(xs.count)") }
                return xs[i - 1]
            }
            switch base {
            case .parameter(let slot): return Self.constant(try pick(world.parameters[slot]))
            case .variable(let slot): return [[try variableFactor(slot, pick)]]
            default: throw WitnessUnsupported("the witness by factors takes components of variables and parameters only")
            }
        case .oneHot(let slot, let index):
            let i: Int
            switch index {
            case .index(let s): i = indices[s]
            case .fixed(let n): i = n
            case .dimension(let s): i = world.dimensions[s]
            }
            return [[try variableFactor(slot) { v in v[0].rounded() == Double(i) ? 1 : 0 }]]
        case .density(let id):
            return [world.densities[id]]
        case .normalDensity(let point, let mean, let variance):
            let x = try single(evaluate(point)), m = try single(evaluate(mean)), v = try single(evaluate(variance))
            let d = try combine(x, m, -)
            return [[try combine(d, v) { d, s in Foundation.exp(-d * d / (2 * s)) / (2 * Double.pi * s).squareRoot() }]]
        case .sum(let terms):
            var out: WitnessFactorSum = []
            for t in terms { out += try evaluate(t) }
            return out
        case .product(let factors):
            var out: WitnessFactorSum = [[]]
            for f in factors {
                var value = try evaluate(f)
                // A factor times a sum distributes without more terms (−1 · log q of a long
                // chain stays its L logs); only a product of two sums can grow past the limit.
                if value.count > 1 && out.count > 1 && out.count * value.count > maximumTerms {
                    value = [[try single(value)]]
                }
                out = out.flatMap { t in value.map { t + $0 } }
            }
            return out
        case .power(let base, let exponent):
            let b = try single(evaluate(base)), e = try single(evaluate(exponent))
            return [[try combine(b, e) { x, n in
                n == -1 ? 1 / x : n == 2 ? x * x : n == 1 ? x : Foundation.pow(x, n)
            }]]
        case .log(let a):
            return try logarithm(evaluate(a))
        case .exp(let a):
            return [[try single(evaluate(a)).map(Foundation.exp)]]
        case .integral(let slots, let body):
            return try evaluate(body).map { try elimination.eliminate(slots, from: $0) }
        case .expectation(let slots, let measure, let body):
            return try expectation(slots, measure: evaluate(measure), body: evaluate(body))
        case .kl(let slots, let p, let q):
            let pv = try evaluate(p), qv = try evaluate(q)
            let body = try logarithm(pv) + scaled(logarithm(qv), -1)
            return try expectation(slots, measure: pv, body: body)
        case .entropy(let slots, let p):
            let pv = try evaluate(p)
            return scaled(try expectation(slots, measure: pv, body: logarithm(pv)), -1)
        case .indexedSum(let slot, let from, let to, let body):
            let lo = try integer(evaluate(from)), hi = try integer(evaluate(to))
            let saved = indices[slot]
            defer { indices[slot] = saved }
            var out: WitnessFactorSum = []
            if lo <= hi {
                for j in lo...hi {
                    indices[slot] = j
                    out += try evaluate(body)
                }
            }
            return out
        case .norm2(let a):
            return [[try single(evaluate(a)).map { $0 * $0 }]]
        case .builtin(let f, let a):
            let v = try single(evaluate(a))
            switch f {
            case .trace, .determinant, .transpose: return [[v]]
            case .absolute: return [[v.map(Swift.abs)]]
            case .inverse: return [[v.map { 1 / $0 }]]
            }
        case .bind(let slots, let arguments, let body):
            var values: [WitnessFactorSum] = []
            for a in arguments { values.append(try evaluate(a)) }
            let saved = slots.map { locals[$0] }
            for (s, v) in zip(slots, values) { locals[s] = v }
            defer { for (s, v) in zip(slots, saved) { locals[s] = v } }
            return try evaluate(body)
        }
    }

    /// The sum multiplied out into one factor over the union of its scopes.
    func single(_ value: WitnessFactorSum) throws -> WitnessFactor {
        var total: WitnessFactor? = nil
        for term in value {
            let product = try elimination.multiply(term)
            total = try total.map { try combine($0, product, +) } ?? product
        }
        return total ?? .constant(0)
    }

    /// `log` of a value: the sum of the logs of a product's factors when all of them are
    /// non-negative (the logarithm of a product is the sum of the logarithms), else the log
    /// of the multiplied-out value.
    private func logarithm(_ value: WitnessFactorSum) throws -> WitnessFactorSum {
        if value.count == 1, value[0].allSatisfy({ f in f.values.allSatisfy { !($0 < 0) } }) {
            return value[0].map { [$0.map(Foundation.log)] }
        }
        return [[try single(value).map(Foundation.log)]]
    }

    /// `Σ_{slots} w · M · body`, term by term: each term of the body is eliminated with the
    /// measure's factors alone.
    private func expectation(_ slots: [Int], measure: WitnessFactorSum, body: WitnessFactorSum) throws -> WitnessFactorSum {
        var m = measure.count == 1 ? measure[0] : [try single(measure)]
        for k in m.indices { m[k].isMeasure = true }
        return try body.map { try elimination.eliminate(slots, from: m + $0) }
    }

    private func scaled(_ value: WitnessFactorSum, _ c: Double) -> WitnessFactorSum {
        value.map { $0 + [.constant(c)] }
    }

    private func combine(_ a: WitnessFactor, _ b: WitnessFactor, _ f: (Double, Double) -> Double) throws -> WitnessFactor {
        try WitnessFactor.combine(a, b, sizes: world.sizes, limit: elimination.limit, annihilate: false, f)
    }

    private func variableFactor(_ slot: Int, _ number: (WitnessValue) throws -> Double) throws -> WitnessFactor {
        var f = try WitnessFactor(slots: [slot], sizes: world.sizes, limit: elimination.limit)
        for p in 0..<world.sizes[slot] { f.values[p] = try number(world.values[slot][p]) }
        return f
    }

    private func integer(_ value: WitnessFactorSum) throws -> Int {
        let f = try single(value)
        guard f.slots.isEmpty, let x = f.values.first, x.isFinite, abs(x - x.rounded()) < 1e-9 else {
            throw WitnessUnsupported("a sum bound that is not an integer")
        }
        return Int(x.rounded())
    }

    private static let vector = WitnessUnsupported("the witness by factors evaluates scalar values only (a vector-valued symbol occurs)")
}
