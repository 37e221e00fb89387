import Foundation

/// The interpreter: evaluates a compiled side in one instance at the current assignment of
/// the variables. Integrals are weighted sums over the points of the bound variables.
///
/// Measure-zero convention: a point whose measure weight is exactly zero (an expectation's
/// or KL's density is 0 there, or a density factor of a product is 0) contributes 0 even if
/// the rest is ±∞ or NaN, as `0 · log 0 = 0`. `undefined` records that a density conditioned
/// on an event of probability zero was used where it mattered; such an assignment says
/// nothing about the step and is not compared.
struct WitnessEvaluator<Instance: WitnessInstance> {
    let instance: Instance
    /// The point of each variable (by slot).
    var assignment: [Int]
    private var indices: [Int]
    private var locals: [WitnessValue]
    var undefined = false

    init(instance: Instance, program: WitnessProgram, variableCount: Int) {
        self.instance = instance
        assignment = Array(repeating: 0, count: variableCount)
        indices = Array(repeating: 0, count: program.indexCount)
        locals = Array(repeating: .scalar(0), count: program.localCount)
    }

    mutating func evaluate(_ node: WitnessNode) throws -> WitnessValue {
        switch node {
        case .constant(let c):
            return .scalar(c)
        case .dimension(let slot):
            return .scalar(Double(instance.dimension(slot)))
        case .parameter(let slot):
            return instance.parameter(slot)
        case .variable(let slot):
            return instance.value(slot, assignment[slot])
        case .local(let slot):
            return locals[slot]
        case .index(let slot):
            return .scalar(Double(indices[slot]))
        case .component(let base, let index):
            let v = try evaluate(base)
            let i: Int
            switch index {
            case .index(let slot): i = indices[slot]
            case .fixed(let n): i = n
            case .dimension(let slot): i = instance.dimension(slot)
            }
            guard case .vector(let xs) = v else { return v }
            guard i >= 1, i <= xs.count else {
                throw WitnessUnsupported("component \(i) of a vector of length \(xs.count)")
            }
            return .scalar(xs[i - 1])
        case .oneHot(let slot, let index):
            let i: Int
            switch index {
            case .index(let s): i = indices[s]
            case .fixed(let n): i = n
            case .dimension(let s): i = instance.dimension(s)
            }
            let c = try evaluate(.variable(slot))
            return .scalar(c[0].rounded() == Double(i) ? 1 : 0)
        case .density(let id):
            let p = instance.density(id, assignment)
            if p.isNaN { undefined = true }
            return .scalar(p)
        case .normalDensity(let point, let mean, let variance):
            let x = try evaluate(point), m = try evaluate(mean), v = try evaluate(variance)
            let z = try WitnessValue.combine(try WitnessValue.combine(x, m, -), v) { d, s in
                Foundation.exp(-d * d / (2 * s)) / (2 * Double.pi * s).squareRoot()
            }
            return .scalar(z.productOfComponents)
        case .sum(let terms):
            var acc = WitnessValue.scalar(0)
            for t in terms { acc = try WitnessValue.combine(acc, try evaluate(t), +) }
            return acc
        case .product(let factors):
            let before = undefined
            var acc = WitnessValue.scalar(1)
            var annihilated = false
            for f in factors {
                let v = try evaluate(f)
                if case .density = f, case .scalar(let p) = v, p == 0 { annihilated = true }
                acc = try WitnessValue.combine(acc, v, *)
            }
            if annihilated { undefined = before; return .scalar(0) }
            return acc
        case .power(let base, let exponent):
            let b = try evaluate(base), e = try evaluate(exponent)
            // Exact forms for the common exponents; `pow` for the rest.
            if case .scalar(let n) = e {
                if n == -1 { return b.map { 1 / $0 } }
                if n == 2 { return b.map { $0 * $0 } }
                if n == 1 { return b }
            }
            return try WitnessValue.combine(b, e, Foundation.pow)
        case .log(let a):
            return try evaluate(a).map(Foundation.log)
        case .exp(let a):
            return try evaluate(a).map(Foundation.exp)
        case .integral(let slots, let body):
            let saved = firstPoint(slots)
            var acc = WitnessValue.scalar(0)
            repeat {
                let w = weight(slots)
                acc = try WitnessValue.combine(acc, try evaluate(body).map { w * $0 }, +)
            } while nextPoint(slots)
            restore(slots, saved)
            return acc
        case .expectation(let slots, let measure, let body):
            let saved = firstPoint(slots)
            var acc = WitnessValue.scalar(0)
            repeat {
                let before = undefined
                let m = try scalar(evaluate(measure), "the measure of an expectation")
                if m == 0 {
                    undefined = before
                } else {
                    let mw = m * weight(slots)
                    acc = try WitnessValue.combine(acc, try evaluate(body).map { mw * $0 }, +)
                }
            } while nextPoint(slots)
            restore(slots, saved)
            return acc
        case .kl(let slots, let p, let q):
            let saved = firstPoint(slots)
            var acc = 0.0
            repeat {
                let before = undefined
                let pv = try scalar(evaluate(p), "KL's first argument")
                if pv == 0 {
                    undefined = before
                } else {
                    let qv = try scalar(evaluate(q), "KL's second argument")
                    acc += weight(slots) * pv * (Foundation.log(pv) - Foundation.log(qv))
                }
            } while nextPoint(slots)
            restore(slots, saved)
            return .scalar(acc)
        case .entropy(let slots, let p):
            let saved = firstPoint(slots)
            var acc = 0.0
            repeat {
                let before = undefined
                let pv = try scalar(evaluate(p), "the argument of H")
                if pv == 0 {
                    undefined = before
                } else {
                    acc -= weight(slots) * pv * Foundation.log(pv)
                }
            } while nextPoint(slots)
            restore(slots, saved)
            return .scalar(acc)
        case .indexedSum(let slot, let from, let to, let body):
            let lo = try integer(evaluate(from)), hi = try integer(evaluate(to))
            let saved = indices[slot]
            var acc = WitnessValue.scalar(0)
            if lo <= hi {
                for j in lo...hi {
                    indices[slot] = j
                    acc = try WitnessValue.combine(acc, try evaluate(body), +)
                }
            }
            indices[slot] = saved
            return acc
        case .norm2(let a):
            return .scalar(try evaluate(a).components.reduce(0) { $0 + $1 * $1 })
        case .builtin(let f, let a):
            let v = try evaluate(a)
            switch f {
            case .trace: return .scalar(v.total)
            case .determinant: return .scalar(v.productOfComponents)
            case .absolute: return v.map(Swift.abs)
            case .transpose: return v
            case .inverse: return v.map { 1 / $0 }
            }
        case .bind(let slots, let arguments, let body):
            var values: [WitnessValue] = []
            for a in arguments { values.append(try evaluate(a)) }
            let saved = slots.map { locals[$0] }
            for (s, v) in zip(slots, values) { locals[s] = v }
            let result = try evaluate(body)
            for (s, v) in zip(slots, saved) { locals[s] = v }
            return result
        }
    }

    // Iteration over the points of bound variables: the last slot varies fastest. A point
    // whose measure is zero contributes nothing, its undefinedness included. (An error
    // abandons the whole evaluation, so the assignment need not be restored then.)

    private mutating func firstPoint(_ slots: [Int]) -> [Int] {
        let saved = slots.map { assignment[$0] }
        for s in slots { assignment[s] = 0 }
        return saved
    }

    private mutating func nextPoint(_ slots: [Int]) -> Bool {
        var k = slots.count - 1
        while k >= 0 {
            let s = slots[k]
            assignment[s] += 1
            if assignment[s] < instance.pointCount(s) { return true }
            assignment[s] = 0
            k -= 1
        }
        return false
    }

    private mutating func restore(_ slots: [Int], _ saved: [Int]) {
        for (s, p) in zip(slots, saved) { assignment[s] = p }
    }

    private func weight(_ slots: [Int]) -> Double {
        var w = 1.0
        for s in slots { w *= instance.weight(s, assignment[s]) }
        return w
    }

    private func scalar(_ v: WitnessValue, _ role: String) throws -> Double {
        guard case .scalar(let x) = v else { throw WitnessUnsupported("\(role) evaluates to a vector") }
        return x
    }

    private func integer(_ v: WitnessValue) throws -> Int {
        guard case .scalar(let x) = v, x.isFinite, abs(x - x.rounded()) < 1e-9 else {
            throw WitnessUnsupported("a sum bound that is not an integer")
        }
        return Int(x.rounded())
    }
}
