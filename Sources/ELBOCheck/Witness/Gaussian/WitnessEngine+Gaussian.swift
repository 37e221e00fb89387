import ELBOAlgebra
import ELBOSpec
import Foundation

/// The continuous (Gaussian-family) witness: for steps that relate densities with declared
/// families to their scalar formulas (`N(x; m, v)`, family parameters, `param`s, norms, sums,
/// matrix forms), which finite tables cannot instantiate.
///
/// Each instance draws dimension values (1–3; class counts 2–3), `param` values, and for every
/// family parameter and network output a random smooth function of its inputs (the density's
/// conditioning variables, or the network's inputs), and evaluates every density by its
/// family. Free variables get random points (3 per instance). Integrals, expectations, KL and
/// entropies are Gauss–Hermite quadratures on the Normal (diagonal or full), mixture or Delta
/// measure of each bound variable, nested where a measure depends on an outer variable;
/// discrete variables are summed. Relations are judged as the finite witness judges them, with
/// a relative tolerance suited to quadrature (`gaussianTolerance`, or the configured one if
/// larger). No rewrite rule is used.
extension WitnessEngine {
    /// Relative tolerance of the Gaussian witness.
    static let gaussianTolerance = 1e-7

    var gaussianTolerance: Double { max(configuration.tolerance, WitnessEngine.gaussianTolerance) }

    /// Whether a step needs continuous instances: it relates densities of a joint with
    /// declared families to scalar-level things (symbols, components, `N`, sums, norms,
    /// functions), which a finite table cannot match; it integrates an explicit
    /// `N(v; m, V)`, which is a density only for the Lebesgue measure; or it transposes
    /// (the finite witness reads every product elementwise).
    static func needsGaussianWitness(_ exprs: [Expr], declarations: Declarations) -> Bool {
        let familyJoints = Set(declarations.families.map(\.density.joint))
        var familyDensity = false, scalar = false, normal = false, binder = false, transpose = false
        for e in exprs {
            GaussianSchema.visit(e, bound: []) { sub, _ in
                switch sub {
                case .density(let d): if familyJoints.contains(d.joint) { familyDensity = true }
                case .normalDensity: normal = true; scalar = true
                case .apply("transpose", _): transpose = true; scalar = true
                case .symbol, .component, .indexedSum, .norm2, .apply: scalar = true
                case .integral, .expectation, .kl, .entropy: binder = true
                default: break
                }
            }
        }
        return (familyDensity && scalar) || (normal && binder) || transpose
    }

    /// Judges `lhs relation rhs` on continuous instances.
    func checkGaussian(lhs: Expr, rhs: Expr, relation: Relation, assumptions: [String]) -> WitnessOutcome {
        do {
            let program = try GaussianProgram.compile([lhs, rhs], declarations: declarations, assumptions: assumptions)
            switch relation {
            case .equal, .greaterOrEqual, .lessOrEqual, .approximately:
                return try gaussianPointwise(program, lhs: lhs, rhs: rhs, relation: relation)
            case .equalUpToConstant, .proportional:
                return try gaussianAcrossDraws(program, relation: relation)
            }
        } catch let e as WitnessUnsupported {
            return .skipped("family-level step (Gaussian witness): " + e.reason)
        } catch {
            return .skipped("family-level step (Gaussian witness): \(error)")
        }
    }

    /// The values of both sides at every assignment of instance `index`, learnable draw `draw`.
    func gaussianSamples(_ program: GaussianProgram, index: Int, draw: Int) throws -> (GaussianInstance, [[GaussianValue]]) {
        let instance = try GaussianInstance(program: program, seed: configuration.seed, index: index, draw: draw)
        var evaluator = GaussianEvaluator(program: program, instance: instance)
        var out: [[GaussianValue]] = []
        for a in 0..<GaussianInstance.assignmentCount {
            evaluator.assign(a)
            out.append(try program.sides.map { try evaluator.evaluate($0) })
        }
        return (instance, out)
    }

    private func gaussianPairs(_ l: GaussianValue, _ r: GaussianValue) throws -> [(Double, Double)] {
        let (le, re) = (l.entries, r.entries)
        if le.count == re.count { return Array(zip(le, re)) }
        if le.count == 1 { return re.map { (le[0], $0) } }
        if re.count == 1 { return le.map { ($0, re[0]) } }
        throw WitnessUnsupported("the sides are \(l.shapeText) and \(r.shapeText)")
    }

    private func gaussianHolds(_ relation: Relation, _ l: Double, _ r: Double) -> Bool {
        if l.isNaN || r.isNaN { return false }
        if l == r { return true }
        let slack = gaussianTolerance * max(1, abs(l), abs(r))
        switch relation {
        case .equal, .approximately, .equalUpToConstant, .proportional:
            return l.isFinite && r.isFinite && abs(l - r) <= slack
        case .greaterOrEqual:
            return l >= r || (l.isFinite && r.isFinite && l >= r - slack)
        case .lessOrEqual:
            return l <= r || (l.isFinite && r.isFinite && l <= r + slack)
        }
    }

    private func gaussianPointwise(_ program: GaussianProgram, lhs: Expr, rhs: Expr, relation: Relation) throws -> WitnessOutcome {
        for i in 0..<configuration.instances {
            let (instance, samples) = try gaussianSamples(program, index: i, draw: 0)
            for (a, s) in samples.enumerated() {
                let pairs = try gaussianPairs(s[0], s[1])
                for (k, (l, r)) in pairs.enumerated() where !gaussianHolds(relation, l, r) {
                    return .disagrees(Counterexample(lhs: l, rhs: r, instance: gaussianDescribe(
                        program, instance, assignment: a, component: pairs.count > 1 ? k : nil)))
                }
            }
        }
        guard relation == .approximately else { return .agrees(instances: configuration.instances, approximationError: nil) }
        // The error of the approximation: the same instances without the assumptions, when
        // the densities have closed forms without them.
        guard let exact = try? GaussianProgram.compile([lhs, rhs], declarations: declarations, assumptions: []) else {
            return .agrees(instances: configuration.instances, approximationError: nil)
        }
        var error = 0.0
        for i in 0..<configuration.instances {
            guard let (_, samples) = try? gaussianSamples(exact, index: i, draw: 0) else {
                return .agrees(instances: configuration.instances, approximationError: nil)
            }
            for s in samples {
                for (l, r) in try gaussianPairs(s[0], s[1]) where l != r {
                    let e = abs(l - r)
                    error = e.isNaN ? .infinity : max(error, e)
                }
            }
        }
        return .agrees(instances: configuration.instances, approximationError: error)
    }

    /// `≐` and `∝` as the finite witness judges them: per instance, draws that share the
    /// dimensions and the data (free variables) and re-draw params and family functions.
    private func gaussianAcrossDraws(_ program: GaussianProgram, relation: Relation) throws -> WitnessOutcome {
        let tolerance = gaussianTolerance
        for i in 0..<configuration.instances {
            var draws: [GaussianInstance] = []
            var samples: [[[(Double, Double)]]] = []
            for d in 0..<configuration.learnableDraws {
                let (instance, s) = try gaussianSamples(program, index: i, draw: d)
                draws.append(instance)
                samples.append(try s.map { try gaussianPairs($0[0], $0[1]) })
            }
            var changes: [(d: Int, a: Int, k: Int, dl: Double, dr: Double, scale: Double)] = []
            for a in samples[0].indices {
                for d in 1..<draws.count {
                    for (k, (l, r)) in samples[d][a].enumerated() {
                        let (l0, r0) = samples[0][a][k]
                        if l == l0 && r == r0 { continue }
                        changes.append((d, a, k, l - l0, r - r0, max(1, abs(l), abs(r), abs(l0), abs(r0))))
                    }
                }
            }
            func refute(_ c: (d: Int, a: Int, k: Int, dl: Double, dr: Double, scale: Double), _ why: String) -> WitnessOutcome {
                let (l, r) = samples[c.d][c.a][c.k]
                return .disagrees(Counterexample(lhs: l, rhs: r, instance: gaussianDescribe(
                    program, draws[c.d], assignment: c.a, component: samples[c.d][c.a].count > 1 ? c.k : nil) + "; " + why))
            }
            if relation == .equalUpToConstant {
                for c in changes where !(abs(c.dl - c.dr) <= tolerance * c.scale) {
                    return refute(c, "lhs − rhs changes by \(c.dl - c.dr) when the learnable part is re-drawn "
                        + "(draw 0 → draw \(c.d)): the difference depends on learnable quantities")
                }
                continue
            }
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
            for c in changes where !(abs(c.dl - factor * c.dr) <= tolerance * max(c.scale, factor * c.scale)) {
                return refute(c, "Δlhs = \(c.dl) but \(factor) · Δrhs = \(factor * c.dr) (draw 0 → draw \(c.d)): "
                    + "no single positive factor")
            }
        }
        return .agrees(instances: configuration.instances, approximationError: nil)
    }

    /// Seed and instance, quadrature, tolerance, dimensions, params and the free variables
    /// (first components), assumptions.
    func gaussianDescribe(_ program: GaussianProgram, _ instance: GaussianInstance, assignment: Int, component: Int?) -> String {
        let schema = program.schema
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        func show(_ v: GaussianValue) -> String {
            let e = v.entries
            let shown = e.prefix(3).map(f).joined(separator: ", ") + (e.count > 3 ? ", …" : "")
            switch v {
            case .scalar(let s): return f(s)
            case .vector, .row: return "(" + shown + ")"
            case .matrix(let m): return "\(m.rows)×\(m.cols) matrix [" + shown + "]"
            }
        }
        var parts = ["Gaussian witness: seed \(instance.seed), instance \(instance.index), learnable draw \(instance.draw), "
            + "assignment \(assignment)"]
        if !schema.dimensions.isEmpty {
            parts.append("dimensions { " + zip(schema.dimensions, instance.dimensions).map { "\($0) = \($1)" }.joined(separator: ", ") + " }")
        }
        if !schema.parameters.isEmpty {
            parts.append("params { " + zip(schema.parameters, instance.parameters).map { "\($0.name) = \(show($1))" }
                .joined(separator: ", ") + " }")
        }
        let usedFunctions = schema.functions.filter { !$0.explicitArguments }.map(\.name)
        if !usedFunctions.isEmpty {
            parts.append("family parameters and network outputs are random smooth functions of their inputs")
        }
        if !program.freeVariables.isEmpty {
            parts.append("at " + program.freeVariables.compactMap { v in
                instance.assignments[assignment][v].map { "\(schema.variables[v].name) = \(show($0))" }
            }.joined(separator: ", "))
        }
        if !program.measureTexts.isEmpty {
            parts.append("quadrature: \(instance.nodesPerComponent)-node Gauss–Hermite per component; "
                + program.measureTexts.joined(separator: "; "))
        }
        parts.append("relative tolerance \(gaussianTolerance)")
        parts.append(program.assumptions.isEmpty ? "no assumptions" : "assuming " + program.assumptions.joined(separator: ", "))
        if let component { parts.append("component \(component + 1)") }
        return parts.joined(separator: "; ")
    }
}
