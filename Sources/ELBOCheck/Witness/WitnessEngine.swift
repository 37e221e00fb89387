import ELBOAlgebra
import ELBOSpec

/// The numeric witness: judges a step by evaluating both sides exactly on random finite
/// instances of the declarations, and refutes a false step with a counterexample.
///
/// It uses no rewrite rule and no simplification: each instance gives every joint a full
/// positive distribution (respecting the declared factorisation and the assumptions in force),
/// densities are its conditionals, integrals are weighted sums, and both sides are compared on
/// every assignment of their free variables. See `docs/DESIGN.md`, "Witness engine".
///
/// Family-level steps (densities with declared families next to their scalar formulas, `N`
/// under an integral, transposes, matrix-shaped params) go to the continuous instances of
/// `Gaussian/WitnessEngine+Gaussian.swift` instead.
public struct WitnessEngine: Sendable {
    /// The declarations every step is read against.
    public let declarations: Declarations
    /// Seed, instance count and tolerance.
    public let configuration: WitnessConfiguration
    let schema: WitnessSchema
    /// Instances built by earlier checks; the steps of a derivation share them.
    let cache = WitnessWorldCache()

    /// An engine for one derivation's declarations.
    public init(declarations: Declarations, configuration: WitnessConfiguration = .standard) {
        self.declarations = declarations
        self.configuration = configuration
        schema = WitnessSchema(declarations)
    }

    var builder: WitnessInstanceBuilder {
        WitnessInstanceBuilder(schema: schema, configuration: configuration, cache: cache)
    }

    /// Judges `lhs relation rhs` with the named assumptions in force.
    ///
    /// `=`, `≥`, `≤` and `≈` must hold at every assignment of every instance (for `≈` the
    /// largest error without the assumptions is reported as well); `≐` and `∝` are judged on
    /// instances that differ only in their learnable parts. Family-level steps, and steps the
    /// finite tables cannot represent, are judged by `checkGaussian`.
    public func check(lhs: Expr, rhs: Expr, relation: Relation, assumptions: [String]) -> WitnessOutcome {
        let program: WitnessProgram
        do {
            program = try WitnessCompiler.program([lhs, rhs], schema: schema)
        } catch {
            // Not a finite-table step (matrix-shaped params, …): the Gaussian witness may judge it.
            let finite = (error as? WitnessUnsupported)?.reason ?? "\(error)"
            let gaussian = checkGaussian(lhs: lhs, rhs: rhs, relation: relation, assumptions: assumptions)
            if let reason = gaussian.skipReason { return .skipped(finite + "; " + reason) }
            return gaussian
        }
        // Densities with families next to their scalar formulas: continuous instances.
        if program.mentionsFamilyDensity && program.mentionsGaussianScalars
            || WitnessEngine.needsGaussianWitness([lhs, rhs], declarations: declarations) {
            return checkGaussian(lhs: lhs, rhs: rhs, relation: relation, assumptions: assumptions)
        }
        do {
            switch relation {
            case .equal, .greaterOrEqual, .lessOrEqual, .approximately:
                return try checkPointwise(program, relation: relation, assumptions: assumptions)
            case .equalUpToConstant, .proportional:
                return try checkAcrossDraws(program, relation: relation, assumptions: assumptions)
            }
        } catch let e as WitnessUnsupported {
            return .skipped(e.reason)
        } catch {
            return .skipped("\(error)")
        }
    }

    /// The value of `e` at every assignment of its free variables in instance `instanceIndex`
    /// (learnable draw 0), keyed by variable name → point index. A vector value gives one
    /// entry per component, with the 1-based component under the key `"#component"`.
    /// Empty when the witness cannot evaluate `e`. For tests and debugging.
    public func evaluate(_ e: Expr, assumptions: [String], instanceIndex: Int) -> [([String: Int], Double)] {
        guard let program = try? WitnessCompiler.program([e], schema: schema) else { return [] }
        guard let plans = try? builder.plans(for: program, assumptions: assumptions),
              let instance = try? builder.instance(instanceIndex, draw: 0, program: program, plans: plans,
                                                   assumptions: assumptions),
              let samples = try? self.samples(program, instance)
        else { return [] }
        var out: [([String: Int], Double)] = []
        for s in samples {
            var names: [String: Int] = [:]
            for v in program.freeVariables { names[schema.variables[v].name] = s.assignment[v] }
            switch s.sides[0] {
            case .scalar(let x): out.append((names, x))
            case .vector(let xs):
                for (k, x) in xs.enumerated() {
                    var n = names
                    n["#component"] = k + 1
                    out.append((n, x))
                }
            }
        }
        return out
    }

    // MARK: evaluation on one instance

    /// Both sides (all sides of the program) at one assignment of the free variables.
    struct Sample {
        var assignment: [Int]
        var sides: [WitnessValue]
        /// A density conditioned on a null event was used: the assignment is not compared.
        var undefined: Bool
    }

    /// Every side at every assignment of the free variables.
    func samples<I: WitnessInstance>(_ program: WitnessProgram, _ instance: I) throws -> [Sample] {
        let free = program.freeVariables
        let count = free.reduce(1) { $0 * instance.pointCount($1) }
        guard count <= configuration.maximumAssignments else {
            throw WitnessUnsupported("\(count) assignments of the free variables "
                + free.map { schema.variables[$0].name }.joined(separator: ", ") + " exceed the configured maximum")
        }
        var evaluator = WitnessEvaluator(instance: instance, program: program, variableCount: schema.variables.count)
        var out: [Sample] = []
        out.reserveCapacity(count)
        for v in free { evaluator.assignment[v] = 0 }
        while true {
            evaluator.undefined = false
            let sides = try program.sides.map { try evaluator.evaluate($0) }
            out.append(Sample(assignment: evaluator.assignment, sides: sides, undefined: evaluator.undefined))
            var k = free.count - 1
            while k >= 0 {
                let s = free[k]
                evaluator.assignment[s] += 1
                if evaluator.assignment[s] < instance.pointCount(s) { break }
                evaluator.assignment[s] = 0
                k -= 1
            }
            if k < 0 { return out }
        }
    }

    /// The components of two sides paired with broadcasting.
    func pairs(_ l: WitnessValue, _ r: WitnessValue) throws -> [(Double, Double)] {
        let n = max(l.count, r.count)
        if l.count != r.count, l.count != 1, r.count != 1 {
            throw WitnessUnsupported("the sides are vectors of lengths \(l.count) and \(r.count)")
        }
        if n == 1 { return [(l[0], r[0])] }
        return (0..<n).map { (l.count == 1 ? l[0] : l[$0], r.count == 1 ? r[0] : r[$0]) }
    }
}
