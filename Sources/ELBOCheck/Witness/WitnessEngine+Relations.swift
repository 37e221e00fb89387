import ELBOSpec

/// How each relation is judged from the values of the two sides.
extension WitnessEngine {
    /// `=`, `≥`, `≤` at every assignment of every instance; `≈` like `=` under its
    /// assumptions, plus the largest error without them.
    func checkPointwise(_ program: WitnessProgram, relation: Relation, assumptions: [String]) throws -> WitnessOutcome {
        let plans = try builder.plans(for: program, assumptions: assumptions)
        var compared = 0
        for i in 0..<configuration.instances {
            let (instance, samples) = try evaluated(program, i, draw: 0, plans: plans, assumptions: assumptions)
            for s in samples where !s.undefined {
                for (k, (l, r)) in try pairs(s.sides[0], s.sides[1]).enumerated() {
                    compared += 1
                    if !holds(relation, l, r) {
                        return .disagrees(Counterexample(lhs: l, rhs: r, instance: describe(
                            instance, s, program, component: s.sides[0].count > 1 || s.sides[1].count > 1 ? k : nil)))
                    }
                }
            }
        }
        guard compared > 0 else { return .skipped("the sides are undefined (null conditioning) on every instance") }
        guard relation == .approximately else { return .agrees(instances: configuration.instances, approximationError: nil) }

        // The error of the approximation: the same instances without the assumptions.
        let exactPlans = try builder.plans(for: program, assumptions: [])
        var error = 0.0
        for i in 0..<configuration.instances {
            let (_, samples) = try evaluated(program, i, draw: 0, plans: exactPlans, assumptions: [])
            for s in samples where !s.undefined {
                for (l, r) in try pairs(s.sides[0], s.sides[1]) {
                    if l == r { continue }
                    let e = abs(l - r)
                    error = e.isNaN ? .infinity : max(error, e)
                }
            }
        }
        return .agrees(instances: configuration.instances, approximationError: error)
    }

    /// `≐` and `∝`: per instance, draws that share everything non-learnable and re-draw the
    /// learnable part. `≐`: `lhs − rhs` is the same in every draw. `∝`: one `c > 0` per
    /// instance with `Δlhs = c · Δrhs` between draws, at every assignment.
    func checkAcrossDraws(_ program: WitnessProgram, relation: Relation, assumptions: [String]) throws -> WitnessOutcome {
        let plans = try builder.plans(for: program, assumptions: assumptions)
        let tolerance = configuration.tolerance
        var compared = 0
        for i in 0..<configuration.instances {
            let evaluatedDraws = try (0..<configuration.learnableDraws).map {
                try evaluated(program, i, draw: $0, plans: plans, assumptions: assumptions)
            }
            let draws = evaluatedDraws.map(\.instance)
            let samples = evaluatedDraws.map(\.samples)
            // (draw, sample, component, Δl, Δr, scale) for every comparable pair.
            var changes: [(d: Int, s: Int, k: Int, dl: Double, dr: Double, scale: Double)] = []
            for s in samples[0].indices where !samples[0][s].undefined {
                let base = try pairs(samples[0][s].sides[0], samples[0][s].sides[1])
                for d in 1..<draws.count where !samples[d][s].undefined {
                    for (k, (l, r)) in try pairs(samples[d][s].sides[0], samples[d][s].sides[1]).enumerated() {
                        let (l0, r0) = base[k]
                        compared += 1
                        if l == l0 && r == r0 { continue }  // includes matching infinities
                        let scale = max(1, abs(l), abs(r), abs(l0), abs(r0))
                        changes.append((d, s, k, l - l0, r - r0, scale))
                    }
                }
            }
            func refute(_ c: (d: Int, s: Int, k: Int, dl: Double, dr: Double, scale: Double), _ why: String) -> WitnessOutcome {
                let sample = samples[c.d][c.s]
                let (l, r) = (try? pairs(sample.sides[0], sample.sides[1])[c.k]) ?? (.nan, .nan)
                return .disagrees(Counterexample(lhs: l, rhs: r, instance: describe(draws[c.d], sample, program,
                    component: sample.sides[0].count > 1 || sample.sides[1].count > 1 ? c.k : nil) + "; " + why))
            }
            if relation == .equalUpToConstant {
                for c in changes where !(abs(c.dl - c.dr) <= tolerance * c.scale) {
                    return refute(c, "lhs − rhs changes by \(c.dl - c.dr) when the learnable part is re-drawn "
                        + "(draw 0 → draw \(c.d)): the difference depends on learnable quantities")
                }
                continue
            }
            // ∝: the factor from the pair where the right side moves most.
            guard let pivot = changes.filter({ $0.dr.isFinite && $0.dl.isFinite }).max(by: { abs($0.dr) < abs($1.dr) }),
                  abs(pivot.dr) > tolerance * pivot.scale else {
                for c in changes where !(abs(c.dl) <= tolerance * c.scale) {
                    return refute(c, "the right side does not depend on learnable quantities but the left side "
                        + "changes by \(c.dl) (draw 0 → draw \(c.d))")
                }
                continue
            }
            let factor = pivot.dl / pivot.dr
            guard factor > 0, factor.isFinite else {
                return refute(pivot, "the sides move in opposite directions when the learnable part is re-drawn "
                    + "(Δlhs = \(pivot.dl), Δrhs = \(pivot.dr)): no positive factor")
            }
            for c in changes {
                let scale = max(c.scale, factor * c.scale)
                if !(abs(c.dl - factor * c.dr) <= tolerance * scale) {
                    return refute(c, "Δlhs = \(c.dl) but \(factor) · Δrhs = \(factor * c.dr) (draw 0 → draw \(c.d)): "
                        + "no single positive factor")
                }
            }
        }
        guard compared > 0 else { return .skipped("the sides are undefined (null conditioning) on every instance") }
        return .agrees(instances: configuration.instances, approximationError: nil)
    }

    /// Whether `l relation r` holds within the tolerance; NaN never does, equal infinities do.
    func holds(_ relation: Relation, _ l: Double, _ r: Double) -> Bool {
        if l.isNaN || r.isNaN { return false }
        if l == r { return true }
        let slack = configuration.tolerance * max(1, abs(l), abs(r))
        switch relation {
        case .equal, .approximately, .equalUpToConstant, .proportional:
            return l.isFinite && r.isFinite && abs(l - r) <= slack
        case .greaterOrEqual:
            return l >= r || (l.isFinite && r.isFinite && l >= r - slack)
        case .lessOrEqual:
            return l <= r || (l.isFinite && r.isFinite && l <= r + slack)
        }
    }

    func describe<I: WitnessInstance>(_ instance: I, _ sample: Sample, _ program: WitnessProgram, component: Int?) -> String {
        let text = instance.describe(assignment: sample.assignment, free: program.freeVariables,
                                     shownValues: program.valueVariables)
        return component.map { text + "; component \($0 + 1)" } ?? text
    }
}
