import ELBOAlgebra
import Foundation

/// Draws finite instances. Random choices come from two streams per instance: the structure
/// (domains, base weights, input-root tables, variable values, dimension values) and the
/// learnable part (factor tables, `param`s, family parameters, network outputs). Re-drawing
/// only the learnable stream gives the pairs on which `≐` and `∝` are judged.
struct WitnessInstanceBuilder {
    let schema: WitnessSchema
    let configuration: WitnessConfiguration

    /// The joint constructions for a program with the named assumptions in force; only the
    /// joints the program uses are built, so an assumption about another joint is irrelevant.
    func plans(for program: WitnessProgram, assumptions: [String]) throws -> [WitnessJointPlan] {
        let used = program.joints
        var plans: [WitnessJointPlan] = []
        for joint in schema.declarations.joints where used.contains(joint.name) {
            plans.append(try WitnessJointPlan(joint, schema: schema))
        }
        for name in assumptions {
            guard let a = schema.declarations.assumption(name) else {
                throw WitnessUnsupported("undeclared assumption '\(name)'")
            }
            guard schema.declarations.joint(a.witnessJoint) != nil else {
                throw WitnessUnsupported("assumption '\(name)' is about an undeclared joint '\(a.witnessJoint)'")
            }
            if let i = plans.firstIndex(where: { $0.name == a.witnessJoint }) {
                try plans[i].apply(a, schema: schema)
            }
        }
        return plans
    }

    /// Instance `index`, learnable draw `draw`, of a program.
    func instance(_ index: Int, draw: Int, program: WitnessProgram, plans: [WitnessJointPlan],
                  assumptions: [String]) throws -> WitnessFiniteInstance {
        let seed = configuration.seed
        let range = configuration.valueRange
        var structure = WitnessRandom(seed: seed, UInt64(index), 1)
        var learnable = WitnessRandom(seed: seed, UInt64(index), 2, UInt64(draw))
        let variables = schema.variables

        // Dimensions cycle through 1, 2, 3, offset per symbol, so that every symbol takes every
        // value and different symbols differ within an instance.
        let dims = schema.dimensions.indices.map { (index + $0) % 3 + 1 }
        func length(_ l: WitnessLength) -> Int? {
            switch l { case .one: return nil; case .fixed(let n): return n; case .dimension(let d): return dims[d] }
        }

        var sizes: [Int] = []
        var weights: [[Double]] = []
        var values: [[WitnessValue]] = []
        for (slot, v) in variables.enumerated() {
            let n = index == 0 ? 2 : index == 1 ? 3 : 2 + structure.below(2)
            sizes.append(n)
            if v.type.isContinuous {
                // Total weight below one, above one, or either: densities above one and
                // negative entropies then occur, as they do for continuous variables.
                switch (index + slot) % 3 {
                case 0: weights.append((0..<n).map { _ in structure.uniform(0.02, 0.9 / Double(n)) })
                case 1: weights.append((0..<n).map { _ in structure.uniform(1.1, 3) })
                default: weights.append((0..<n).map { _ in structure.uniform(0.02, 3) })
                }
            } else {
                weights.append(Array(repeating: 1, count: n))
            }
            let len = length(schema.variableLength[slot])
            values.append((0..<n).map { p -> WitnessValue in
                switch v.type {
                case .label: return .scalar(Double(p + 1))
                case .binary:
                    guard let len else { return .scalar(Double(structure.below(2))) }
                    return .vector((0..<len).map { _ in Double(structure.below(2)) })
                case .real:
                    guard let len else { return .scalar(structure.uniform(range.lowerBound, range.upperBound)) }
                    return .vector((0..<len).map { _ in structure.uniform(range.lowerBound, range.upperBound) })
                }
            })
        }

        let parameters = schema.parameters.map { p -> WitnessValue in
            guard let len = length(p.length) else { return .scalar(learnable.uniform(range.lowerBound, range.upperBound)) }
            return .vector((0..<len).map { _ in learnable.uniform(range.lowerBound, range.upperBound) })
        }

        var scratch = Array(repeating: 0, count: variables.count)
        var fullTables: [String: WitnessTable] = [:]
        for plan in plans {
            // The input root: one random positive density over all inputs jointly.
            var rootRandom = WitnessRandom(seed: seed, UInt64(index), 3, UInt64(plan.slots.first ?? 0),
                                           UInt64(plan.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
            let root = randomConditional(left: plan.roots, given: [], pointMass: false, sizes: sizes,
                                         weights: weights, random: &rootRandom, scratch: &scratch)
            let tables = plan.factors.map {
                randomConditional(left: $0.left, given: $0.given, pointMass: $0.pointMass, sizes: sizes,
                                  weights: weights, random: &learnable, scratch: &scratch)
            }
            var full = WitnessTable(slots: plan.slots, sizes: sizes)
            witnessForEachConfiguration(of: plan.slots, sizes: sizes, &scratch) { a in
                var p = root[a]
                for t in tables { p *= t[a] }
                full[a] = p
            }
            fullTables[plan.name] = full
        }

        var marginals = WitnessMarginals(full: fullTables, sizes: sizes, weights: weights)
        let conditionals = program.densities.map { d in
            marginals.conditional(joint: d.joint, left: d.left, given: d.given, scratch: &scratch)
        }

        // An equality assumption must now hold exactly; the construction guarantees it unless
        // the rest of the graph contradicts it, in which case the witness declines.
        for plan in plans {
            for eq in plan.equalities {
                try verify(eq, plan: plan, marginals: &marginals, sizes: sizes, scratch: &scratch)
            }
        }

        return WitnessFiniteInstance(
            label: "seed \(configuration.seed), instance \(index), learnable draw \(draw)",
            variableNames: variables.map(\.name), continuous: variables.map(\.type.isContinuous),
            sizes: sizes, weights: weights, values: values, dimensionNames: schema.dimensions,
            dimensionValues: dims, parameterNames: schema.parameters.map(\.name), parameterValues: parameters,
            conditionals: conditionals, assumptions: assumptions)
    }

    /// A random conditional density table `f(left | given)` normalised against the base
    /// weights of `left`; a point mass puts density `1 / weight` on one random point.
    private func randomConditional(left: [Int], given: [Int], pointMass: Bool, sizes: [Int], weights: [[Double]],
                                   random: inout WitnessRandom, scratch: inout [Int]) -> WitnessTable {
        var table = WitnessTable(slots: left + given, sizes: sizes)
        let leftCount = left.reduce(1) { $0 * sizes[$1] }
        witnessForEachConfiguration(of: given, sizes: sizes, &scratch) { a in
            if pointMass {
                var chosen = random.below(leftCount)
                witnessForEachConfiguration(of: left, sizes: sizes, &a) { b in
                    if chosen == 0 {
                        let w = left.reduce(1.0) { $0 * weights[$1][b[$1]] }
                        table[b] = 1 / w
                    }
                    chosen -= 1
                }
                return
            }
            var mass = 0.0
            witnessForEachConfiguration(of: left, sizes: sizes, &a) { b in
                let u = Foundation.exp(random.uniform(-2, 2))
                table[b] = u
                mass += u * left.reduce(1.0) { $0 * weights[$1][b[$1]] }
            }
            witnessForEachConfiguration(of: left, sizes: sizes, &a) { b in table[b] /= mass }
        }
        return table
    }

    private func verify(_ eq: (name: String, lhs: Density, rhs: [Density]), plan: WitnessJointPlan,
                        marginals: inout WitnessMarginals, sizes: [Int], scratch: inout [Int]) throws {
        func slots(_ names: [String]) -> [Int] { names.map { schema.variableSlot[$0]! }.sorted() }
        let lhs = marginals.conditional(joint: plan.name, left: slots(eq.lhs.variables), given: slots(eq.lhs.given),
                                        scratch: &scratch)
        let rhs = eq.rhs.map {
            marginals.conditional(joint: plan.name, left: slots($0.variables), given: slots($0.given), scratch: &scratch)
        }
        let all = Array(Set(lhs.slots + rhs.flatMap(\.slots))).sorted()
        var holds = true
        witnessForEachConfiguration(of: all, sizes: sizes, &scratch) { a in
            let l = lhs[a]
            guard !l.isNaN else { return }
            let r = rhs.reduce(1.0) { $0 * $1[a] }
            if !(abs(l - r) <= 1e-9 * max(1, abs(l), abs(r))) { holds = false }
        }
        guard holds else {
            throw WitnessUnsupported("assumption '\(eq.name)' cannot be realised by the witness: \(eq.lhs) = "
                + eq.rhs.map(\.description).joined(separator: " ")
                + " contradicts the rest of the factorisation of \(plan.name)")
        }
    }
}

/// Marginals (by weighted summation) and conditionals of the joints of one instance,
/// cached per joint and variable subset.
struct WitnessMarginals {
    let full: [String: WitnessTable]
    let sizes: [Int]
    let weights: [[Double]]
    private var cache: [String: [[Int]: WitnessTable]] = [:]

    init(full: [String: WitnessTable], sizes: [Int], weights: [[Double]]) {
        self.full = full
        self.sizes = sizes
        self.weights = weights
    }

    /// The density of the variables `subset` (sorted slots) under the joint.
    mutating func marginal(joint: String, _ subset: [Int], scratch: inout [Int]) -> WitnessTable {
        if let t = cache[joint]?[subset] { return t }
        let table = full[joint]!
        var m = WitnessTable(slots: subset, sizes: sizes)
        let summed = table.slots.filter { !subset.contains($0) }
        let weights = self.weights
        witnessForEachConfiguration(of: table.slots, sizes: sizes, &scratch) { a in
            var w = table[a]
            for s in summed { w *= weights[s][a[s]] }
            m[a] += w
        }
        cache[joint, default: [:]][subset] = m
        return m
    }

    /// `p(left | given) = p(left, given) / p(given)`, a table over the sorted union; NaN where
    /// `p(given) = 0`.
    mutating func conditional(joint: String, left: [Int], given: [Int], scratch: inout [Int]) -> WitnessTable {
        let both = (left + given).sorted()
        var numerator = marginal(joint: joint, both, scratch: &scratch)
        let denominator = marginal(joint: joint, given, scratch: &scratch)
        witnessForEachConfiguration(of: both, sizes: sizes, &scratch) { a in
            let d = denominator[a]
            numerator[a] = d == 0 ? .nan : numerator[a] / d
        }
        return numerator
    }
}
