/// The witness by factors: how an instance is built and a program evaluated without the
/// dense joint table, for models whose joint would not fit (an explicit chain of 24 latents
/// has 2^33 configurations and more). Each joint is kept as its factor tables; a density of a
/// step is its joint's factors with the other variables eliminated; each side is evaluated
/// term by term (`WitnessFactorEvaluator`). Same instances, same random numbers as the
/// dense path, so both agree wherever both apply.
extension WitnessEngine {
    /// Whether the program's joints are too large for the dense path (or the configuration
    /// asks for factors). The dense joint of a plan has one entry per configuration of its
    /// variables, at most three points each.
    func usesFactors(_ plans: [WitnessJointPlan]) -> Bool {
        if configuration.alwaysByFactors { return true }
        return plans.contains { plan in
            var n = 1.0
            for _ in plan.slots { n *= 3 }
            return n > Double(configuration.denseJointLimit)
        }
    }

    /// Instance `index`, draw `draw`, in factor form, with its description for counterexamples.
    func factorInstance(_ index: Int, draw: Int, program: WitnessProgram, plans: [WitnessJointPlan],
                        assumptions: [String]) throws -> (description: WitnessFiniteInstance, world: WitnessFactorWorld) {
        let b = builder
        let s = b.structure(index)
        let limit = configuration.factorTableLimit
        let elimination = WitnessElimination(sizes: s.sizes, weights: s.weights, limit: limit)
        var factorsOfJoint: [String: [WitnessFactor]] = [:]
        for plan in plans {
            let (root, tables) = b.jointTables(plan, index: index, draw: draw, structure: s)
            factorsOfJoint[plan.name] = try ([root] + tables).map { try factor($0, sizes: s.sizes, limit: limit) }
        }
        func conditional(joint: String, left: [Int], given: [Int]) throws -> [WitnessFactor] {
            guard let plan = plans.first(where: { $0.name == joint }), let all = factorsOfJoint[joint] else {
                throw WitnessUnsupported("no construction for joint \(joint)")
            }
            let kept = Set(left + given)
            let numerator = try elimination.eliminate(plan.slots.filter { !kept.contains($0) }, from: all)
            let denominator = try elimination.eliminate(plan.slots.filter { !given.contains($0) }, from: all)
            let reciprocals = denominator.map { d -> WitnessFactor in
                var r = d.map { 1 / $0 }
                for i in r.values.indices where d.values[i] == 0 || d.isUndefined(i) { r.setUndefined(i); r.values[i] = .nan }
                return r
            }
            return numerator.map { f in var m = f; m.isMeasure = true; return m } + reciprocals
        }
        for plan in plans {
            for eq in plan.equalities {
                func slots(_ names: [String]) -> [Int] { names.map { schema.variableSlot[$0]! }.sorted() }
                let lhs = try elimination.multiply(conditional(joint: plan.name, left: slots(eq.lhs.variables),
                                                               given: slots(eq.lhs.given)))
                var rhs: [WitnessFactor] = []
                for d in eq.rhs { rhs += try conditional(joint: plan.name, left: slots(d.variables), given: slots(d.given)) }
                let difference = try WitnessFactor.combine(lhs, try elimination.multiply(rhs), sizes: s.sizes, limit: limit,
                                                           annihilate: false) { l, r in
                    abs(l - r) <= 1e-9 * max(1, abs(l), abs(r)) ? 0 : 1
                }
                for i in difference.values.indices where !difference.isUndefined(i) && difference.values[i] != 0 {
                    throw WitnessUnsupported(WitnessInstanceBuilder.contradiction(eq, plan))
                }
            }
        }
        let densities = try program.densities.map { try conditional(joint: $0.joint, left: $0.left, given: $0.given) }
        let parameters = b.parameters(index, draw: draw, structure: s)
        let world = WitnessFactorWorld(sizes: s.sizes, weights: s.weights, values: s.values, dimensions: s.dimensions,
                                       parameters: parameters, densities: densities)
        let description = WitnessFiniteInstance(
            label: "seed \(configuration.seed), instance \(index), learnable draw \(draw) (evaluated by factors)",
            variableNames: schema.variables.map(\.name), continuous: schema.variables.map(\.type.isContinuous),
            sizes: s.sizes, weights: s.weights, values: s.values, dimensionNames: schema.dimensions,
            dimensionValues: s.dimensions, parameterNames: schema.parameters.map(\.name), parameterValues: parameters,
            conditionals: [], assumptions: assumptions)
        return (description, world)
    }

    /// Every side at every assignment of the free variables, evaluated by factors.
    func factorSamples(_ program: WitnessProgram, _ world: WitnessFactorWorld) throws -> [Sample] {
        let free = program.freeVariables
        let count = free.reduce(1) { $0 * world.sizes[$1] }
        guard count <= configuration.maximumAssignments else {
            throw WitnessUnsupported("\(count) assignments of the free variables "
                + free.map { schema.variables[$0].name }.joined(separator: ", ") + " exceed the configured maximum")
        }
        var evaluator = WitnessFactorEvaluator(world: world, program: program, limit: configuration.factorTableLimit)
        let sides = try program.sides.map { try evaluator.single(evaluator.evaluate($0)) }
        var out: [Sample] = []
        var assignment = Array(repeating: 0, count: schema.variables.count)
        witnessForEachConfiguration(of: free, sizes: world.sizes, &assignment) { a in
            var undefined = false
            let values = sides.map { f -> WitnessValue in
                let (v, u) = f.at(a)
                if u { undefined = true }
                return .scalar(v)
            }
            out.append(Sample(assignment: a, sides: values, undefined: undefined))
        }
        return out
    }

    /// A dense table of a joint's construction as a factor.
    private func factor(_ table: WitnessTable, sizes: [Int], limit: Int) throws -> WitnessFactor {
        var f = try WitnessFactor(slots: table.slots, sizes: sizes, isMeasure: true, limit: limit)
        var assignment = Array(repeating: 0, count: sizes.count)
        var i = 0
        witnessForEachConfiguration(of: f.slots, sizes: sizes, &assignment) { a in
            f.values[i] = table[a]
            i += 1
        }
        return f
    }

    /// One instance's samples by whichever path the plans need, with the instance that
    /// describes a counterexample.
    func evaluated(_ program: WitnessProgram, _ index: Int, draw: Int, plans: [WitnessJointPlan],
                   assumptions: [String]) throws -> (instance: WitnessFiniteInstance, samples: [Sample]) {
        if usesFactors(plans) {
            let (description, world) = try factorInstance(index, draw: draw, program: program, plans: plans,
                                                          assumptions: assumptions)
            return (description, try factorSamples(program, world))
        }
        let instance = try builder.instance(index, draw: draw, program: program, plans: plans, assumptions: assumptions)
        return (instance, try samples(program, instance))
    }
}
