import Foundation

/// A function of a few variables stored densely over its own scope: one factor of the
/// witness by factors. Unlike `WitnessTable` (which serves the dense joint of the small-model
/// path), a factor carries which entries are undefined (a conditional given a null event) and
/// whether it is part of a measure, whose zeros annihilate whatever they multiply (the
/// measure-zero convention `0 · log 0 = 0` of `WitnessEvaluator`).
struct WitnessFactor {
    /// Variable slots, sorted; the last varies fastest.
    let slots: [Int]
    let strides: [Int]
    var values: [Double]
    /// Per entry; nil when every entry is defined.
    var undefined: [Bool]?
    /// Whether a zero entry annihilates the factor it is multiplied with.
    var isMeasure: Bool

    /// A factor over `slots` (any order; stored sorted) of the sizes `sizes[slot]`.
    init(slots: [Int], sizes: [Int], fill: Double = 0, isMeasure: Bool = false, limit: Int) throws {
        let sorted = Array(Set(slots)).sorted()
        self.slots = sorted
        var strides = Array(repeating: 1, count: sorted.count)
        var n = 1
        for k in stride(from: sorted.count - 1, through: 0, by: -1) {
            strides[k] = n
            let (m, overflow) = n.multipliedReportingOverflow(by: sizes[sorted[k]])
            guard !overflow, m <= limit else { throw WitnessFactor.tooLarge(sorted.count, limit: limit) }
            n = m
        }
        self.strides = strides
        values = Array(repeating: fill, count: n)
        undefined = nil
        self.isMeasure = isMeasure
    }

    /// A constant (a factor over no variables).
    static func constant(_ c: Double) -> WitnessFactor {
        // A scope of no variables has one entry, far below any limit.
        try! WitnessFactor(slots: [], sizes: [], fill: c, limit: 1)
    }

    /// The diagnostic for a factor the machine should not hold.
    static func tooLarge(_ variables: Int, limit: Int) -> WitnessUnsupported {
        WitnessUnsupported("the model is too large for the witness by factors: evaluating it needs a table over "
            + "\(variables) variables, more than \(limit) entries (the elimination found no smaller way)")
    }

    var count: Int { values.count }

    @inline(__always)
    func offset(_ assignment: [Int]) -> Int {
        var o = 0
        for k in 0..<slots.count { o += assignment[slots[k]] &* strides[k] }
        return o
    }

    @inline(__always)
    func isUndefined(_ i: Int) -> Bool { undefined?[i] ?? false }

    mutating func setUndefined(_ i: Int) {
        if undefined == nil { undefined = Array(repeating: false, count: values.count) }
        undefined![i] = true
    }

    /// The value at an assignment (indexed by variable slot) and whether it is undefined.
    func at(_ assignment: [Int]) -> (Double, Bool) {
        let o = offset(assignment)
        return (values[o], isUndefined(o))
    }

    /// `f` applied to every entry (undefinedness kept; the result is not a measure).
    func map(_ f: (Double) -> Double) -> WitnessFactor {
        var out = self
        out.values = values.map(f)
        out.isMeasure = false
        return out
    }

    /// Entrywise `f(a, b)` over the union of the scopes. With `annihilate`, a zero entry of a
    /// measure factor makes the entry zero (the product of a measure and a term).
    static func combine(_ a: WitnessFactor, _ b: WitnessFactor, sizes: [Int], limit: Int, annihilate: Bool,
                        _ f: (Double, Double) -> Double) throws -> WitnessFactor {
        var out = try WitnessFactor(slots: a.slots + b.slots, sizes: sizes,
                                    isMeasure: annihilate && a.isMeasure && b.isMeasure, limit: limit)
        var assignment = Array(repeating: 0, count: sizes.count)
        var i = 0
        let anyUndefined = a.undefined != nil || b.undefined != nil
        witnessForEachConfiguration(of: out.slots, sizes: sizes, &assignment) { x in
            let ia = a.offset(x), ib = b.offset(x)
            let va = a.values[ia], vb = b.values[ib]
            if anyUndefined && (a.isUndefined(ia) || b.isUndefined(ib)) {
                // Undefined stays undefined, even under a zero of a measure: the witness by
                // factors cannot tell which measure a null conditioning belongs to, so it
                // declines to compare rather than guess.
                out.values[i] = .nan
                out.setUndefined(i)
            } else if annihilate && ((a.isMeasure && va == 0) || (b.isMeasure && vb == 0)) {
                out.values[i] = 0
            } else {
                out.values[i] = f(va, vb)
            }
            i += 1
        }
        return out
    }

    /// `Σ_points w · f` over `variable` (its base weights `weights`).
    func summingOut(_ variable: Int, weights: [Double], sizes: [Int], limit: Int) throws -> WitnessFactor {
        guard let k = slots.firstIndex(of: variable) else {
            // Not in the scope: the sum is the total weight times the factor.
            let total = weights.reduce(0, +)
            var out = self
            out.values = values.map { $0 * total }
            return out
        }
        var out = try WitnessFactor(slots: slots.filter { $0 != variable }, sizes: sizes, isMeasure: isMeasure,
                                    limit: limit)
        var assignment = Array(repeating: 0, count: sizes.count)
        var i = 0
        let stride = strides[k]
        witnessForEachConfiguration(of: out.slots, sizes: sizes, &assignment) { x in
            x[variable] = 0
            let base = offset(x)
            var acc = 0.0
            var undefinedHere = false
            for p in 0..<sizes[variable] {
                let o = base + p * stride
                acc += weights[p] * values[o]
                if isUndefined(o) { undefinedHere = true }
            }
            out.values[i] = acc
            if undefinedHere { out.setUndefined(i) }
            i += 1
        }
        return out
    }
}
