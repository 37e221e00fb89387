import ELBOAlgebra
import Foundation

/// Draws finite instances. Random choices come from separate streams: the structure of
/// instance `index` (domains, base weights, variable values, dimension values, and each
/// joint's input-root table) and its learnable draw `draw` (`param`s and family parameters,
/// and each joint's factor tables). Re-drawing only the learnable streams gives the pairs on
/// which `≐` and `∝` are judged. Every joint has its own streams, so a joint's tables in an
/// instance do not depend on which other joints a step mentions.
struct WitnessInstanceBuilder {
    let schema: WitnessSchema
    let configuration: WitnessConfiguration
    let cache: WitnessWorldCache

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
        let s = structure(index)
        let parameters = self.parameters(index, draw: draw, structure: s)
        var worlds: [String: WitnessJointWorld] = [:]
        for plan in plans {
            let world = cache.world(WitnessWorldCache.Key(plan: plan, index: index, draw: draw)) {
                jointWorld(plan, index: index, draw: draw, structure: s)
            }
            if let failure = world.failure { throw WitnessUnsupported(failure) }
            worlds[plan.name] = world
        }
        let conditionals = program.densities.map { d in worlds[d.joint]!.conditional(left: d.left, given: d.given) }
        return WitnessFiniteInstance(
            label: "seed \(configuration.seed), instance \(index), learnable draw \(draw)",
            variableNames: schema.variables.map(\.name), continuous: schema.variables.map(\.type.isContinuous),
            sizes: s.sizes, weights: s.weights, values: s.values, dimensionNames: schema.dimensions,
            dimensionValues: s.dimensions, parameterNames: schema.parameters.map(\.name), parameterValues: parameters,
            conditionals: conditionals, assumptions: assumptions)
    }

    /// The learnable symbols' values in instance `index`, draw `draw`.
    func parameters(_ index: Int, draw: Int, structure s: Structure) -> [WitnessValue] {
        var learnable = WitnessRandom(seed: configuration.seed, UInt64(index), 2, UInt64(draw))
        let range = configuration.valueRange
        return schema.parameters.map { p -> WitnessValue in
            func value() -> Double {
                if let b = p.bound { return b.witnessValue(&learnable) }
                // A declared constant without a constraint may be negative (b · KL ≥ 0 is false).
                if p.isDeclaredParam { return learnable.uniform(-range.upperBound, range.upperBound) }
                return learnable.uniform(range.lowerBound, range.upperBound)
            }
            guard let len = s.length(p.length) else { return .scalar(value()) }
            return .vector((0..<len).map { _ in value() })
        }
    }

    /// What instance `index` shares across learnable draws and joints.
    struct Structure {
        var sizes: [Int] = []
        var weights: [[Double]] = []
        var values: [[WitnessValue]] = []
        var dimensions: [Int] = []

        func length(_ l: WitnessLength) -> Int? {
            switch l { case .one: return nil; case .fixed(let n): return n; case .dimension(let d): return dimensions[d] }
        }
    }

    func structure(_ index: Int) -> Structure {
        var random = WitnessRandom(seed: configuration.seed, UInt64(index), 1)
        let range = configuration.valueRange
        var s = Structure()
        // Dimensions cycle through 1, 2, 3, offset per symbol, so that every symbol takes every
        // value and different symbols differ within an instance.
        s.dimensions = schema.dimensions.indices.map { (index + $0) % 3 + 1 }
        for (slot, v) in schema.variables.enumerated() {
            var n = index == 0 ? 2 : index == 1 ? 3 : 2 + random.below(2)
            if case .label(let classes) = v.type {
                // A label takes each of its classes: its one-hot components are then exact.
                switch classes {
                case .value(let c): n = max(1, c)
                case .symbol(let d): n = schema.dimensions.firstIndex(of: d).map { s.dimensions[$0] } ?? n
                }
            }
            s.sizes.append(n)
            if v.type.isContinuous {
                // Total weight below one, above one, or either: densities above one and
                // negative entropies then occur, as they do for continuous variables.
                switch (index + slot) % 3 {
                case 0: s.weights.append((0..<n).map { _ in random.uniform(0.02, 0.9 / Double(n)) })
                case 1: s.weights.append((0..<n).map { _ in random.uniform(1.1, 3) })
                default: s.weights.append((0..<n).map { _ in random.uniform(0.02, 3) })
                }
            } else {
                s.weights.append(Array(repeating: 1, count: n))
            }
            let len = s.length(schema.variableLength[slot])
            s.values.append((0..<n).map { p -> WitnessValue in
                switch v.type {
                case .label: return .scalar(Double(p + 1))
                case .binary:
                    guard let len else { return .scalar(Double(random.below(2))) }
                    return .vector((0..<len).map { _ in Double(random.below(2)) })
                case .real:
                    guard let len else { return .scalar(random.uniform(range.lowerBound, range.upperBound)) }
                    return .vector((0..<len).map { _ in random.uniform(range.lowerBound, range.upperBound) })
                }
            })
        }
        return s
    }

    /// The full distribution of one joint: input root × factor tables.
    private func jointWorld(_ plan: WitnessJointPlan, index: Int, draw: Int, structure s: Structure) -> WitnessJointWorld {
        let (root, tables) = jointTables(plan, index: index, draw: draw, structure: s)
        var scratch = Array(repeating: 0, count: schema.variables.count)
        var full = WitnessTable(slots: plan.slots, sizes: s.sizes)
        witnessForEachConfiguration(of: plan.slots, sizes: s.sizes, &scratch) { a in
            var p = root[a]
            for t in tables { p *= t[a] }
            full[a] = p
        }
        let world = WitnessJointWorld(full: full, sizes: s.sizes, weights: s.weights)
        // An equality assumption must now hold exactly; the construction guarantees it unless
        // the rest of the graph contradicts it, in which case the witness declines.
        for eq in plan.equalities where !holds(eq, in: world, sizes: s.sizes) {
            world.failure = WitnessInstanceBuilder.contradiction(eq, plan)
        }
        return world
    }

    static func contradiction(_ eq: WitnessEquality, _ plan: WitnessJointPlan) -> String {
        "assumption '\(eq.name)' cannot be realised by the witness: \(eq.lhs) = "
            + eq.rhs.map(\.description).joined(separator: " ")
            + " contradicts the rest of the factorisation of \(plan.name)"
    }

    /// The tables a joint's distribution is the product of: the input roots' table and one
    /// conditional table per factor, drawn from the joint's own random streams (the same
    /// numbers for the dense and the factor form of an instance).
    func jointTables(_ plan: WitnessJointPlan, index: Int, draw: Int, structure s: Structure)
        -> (root: WitnessTable, factors: [WitnessTable]) {
        let name = UInt64(truncatingIfNeeded: plan.name.utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
            ($0 ^ UInt64($1)) &* 1_099_511_628_211
        })
        var rootRandom = WitnessRandom(seed: configuration.seed, UInt64(index), 3, name)
        var learnable = WitnessRandom(seed: configuration.seed, UInt64(index), 4, UInt64(draw), name)
        var scratch = Array(repeating: 0, count: schema.variables.count)
        let root = randomConditional(left: plan.roots, given: [], pointMass: false, structure: s,
                                     random: &rootRandom, scratch: &scratch)
        let tables = plan.factors.map {
            randomConditional(left: $0.left, given: $0.given, pointMass: $0.pointMass, structure: s,
                              random: &learnable, scratch: &scratch)
        }
        return (root, tables)
    }

    /// A random conditional density table `f(left | given)` normalised against the base
    /// weights of `left`; a point mass puts density `1 / weight` on one random point.
    private func randomConditional(left: [Int], given: [Int], pointMass: Bool, structure s: Structure,
                                   random: inout WitnessRandom, scratch: inout [Int]) -> WitnessTable {
        let sizes = s.sizes, weights = s.weights
        var table = WitnessTable(slots: left + given, sizes: sizes)
        let leftCount = left.reduce(1) { $0 * sizes[$1] }
        witnessForEachConfiguration(of: given, sizes: sizes, &scratch) { a in
            if pointMass {
                var chosen = random.below(leftCount)
                witnessForEachConfiguration(of: left, sizes: sizes, &a) { b in
                    if chosen == 0 { table[b] = 1 / left.reduce(1.0) { $0 * weights[$1][b[$1]] } }
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

    private func holds(_ eq: WitnessEquality, in world: WitnessJointWorld, sizes: [Int]) -> Bool {
        func slots(_ names: [String]) -> [Int] { names.map { schema.variableSlot[$0]! }.sorted() }
        let lhs = world.conditional(left: slots(eq.lhs.variables), given: slots(eq.lhs.given))
        let rhs = eq.rhs.map { world.conditional(left: slots($0.variables), given: slots($0.given)) }
        let all = Array(Set(lhs.slots + rhs.flatMap(\.slots))).sorted()
        var scratch = Array(repeating: 0, count: schema.variables.count)
        var holds = true
        witnessForEachConfiguration(of: all, sizes: sizes, &scratch) { a in
            let l = lhs[a]
            guard !l.isNaN else { return }
            let r = rhs.reduce(1.0) { $0 * $1[a] }
            if !(abs(l - r) <= 1e-9 * max(1, abs(l), abs(r))) { holds = false }
        }
        return holds
    }
}

/// One joint's distribution in one instance and learnable draw: the full table, and its
/// marginals (by weighted summation) and conditionals, computed on demand and kept.
final class WitnessJointWorld {
    let full: WitnessTable
    let sizes: [Int]
    let weights: [[Double]]
    /// Set when an equality assumption cannot be realised in this joint.
    var failure: String?
    private let lock = NSLock()
    private var marginals: [[Int]: WitnessTable] = [:]
    private var conditionals: [[[Int]]: WitnessTable] = [:]

    init(full: WitnessTable, sizes: [Int], weights: [[Double]]) {
        self.full = full
        self.sizes = sizes
        self.weights = weights
    }

    /// `p(left | given) = p(left, given) / p(given)` (sorted slots), a table over the sorted
    /// union; NaN where `p(given) = 0`.
    func conditional(left: [Int], given: [Int]) -> WitnessTable {
        lock.lock()
        defer { lock.unlock() }
        if let t = conditionals[[left, given]] { return t }
        let both = (left + given).sorted()
        var table = marginal(both)
        let denominator = marginal(given)
        var scratch = Array(repeating: 0, count: sizes.count)
        witnessForEachConfiguration(of: both, sizes: sizes, &scratch) { a in
            let d = denominator[a]
            table[a] = d == 0 ? .nan : table[a] / d
        }
        conditionals[[left, given]] = table
        return table
    }

    /// The density of the variables `subset` (sorted slots). Called with the lock held.
    private func marginal(_ subset: [Int]) -> WitnessTable {
        if let t = marginals[subset] { return t }
        var m = WitnessTable(slots: subset, sizes: sizes)
        let summed = full.slots.filter { !subset.contains($0) }
        let weights = self.weights, full = self.full
        var scratch = Array(repeating: 0, count: sizes.count)
        witnessForEachConfiguration(of: full.slots, sizes: sizes, &scratch) { a in
            var w = full[a]
            for s in summed { w *= weights[s][a[s]] }
            m[a] += w
        }
        marginals[subset] = m
        return m
    }
}

/// The joint worlds an engine has built, shared by all its checks: the steps of one
/// derivation reuse the same instances instead of rebuilding them.
final class WitnessWorldCache: @unchecked Sendable {
    struct Key: Hashable {
        var plan: WitnessJointPlan
        var index: Int
        var draw: Int
    }

    private let lock = NSLock()
    private var worlds: [Key: WitnessJointWorld] = [:]

    func world(_ key: Key, make: () -> WitnessJointWorld) -> WitnessJointWorld {
        lock.lock()
        if let w = worlds[key] { lock.unlock(); return w }
        lock.unlock()
        let w = make()
        lock.lock()
        defer { lock.unlock() }
        if let existing = worlds[key] { return existing }
        if worlds.count >= 4096 { worlds.removeAll() }  // bounded; rebuilding is cheap
        worlds[key] = w
        return w
    }
}
