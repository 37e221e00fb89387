import ELBOAlgebra

/// One conditional table of a joint's construction: `f(left | given)`, either a random
/// positive table or a point mass (one random point per configuration of `given`).
struct WitnessFactorPlan: Hashable {
    var left: [Int]
    var given: [Int]
    var pointMass: Bool
}

/// How an instance builds the full distribution of one joint: the inputs are roots with one
/// random positive table over all of them, and the joint's variables are the product of the
/// factor tables. Assumptions specialise the factor tables; a specialised table is still a
/// table of its factor, so the declared factorisation keeps holding.
struct WitnessJointPlan: Hashable {
    let name: String
    /// `variables ∪ given` of the joint, in declaration order.
    let slots: [Int]
    /// The joint's inputs.
    let roots: [Int]
    var factors: [WitnessFactorPlan]
    /// Equality assumptions put in force on this joint; each instance verifies them.
    var equalities: [WitnessEquality] = []

    /// The declared construction of `joint`.
    init(_ joint: Joint, schema: WitnessSchema) throws {
        name = joint.name
        func slot(_ v: String) throws -> Int {
            guard let s = schema.variableSlot[v] else {
                throw WitnessUnsupported("joint \(joint.name) mentions undeclared variable '\(v)'")
            }
            return s
        }
        let variables = try joint.variables.map(slot)
        roots = try joint.given.map(slot)
        guard Set(variables).isDisjoint(with: roots), Set(variables).count == variables.count else {
            throw WitnessUnsupported("joint \(joint.name) repeats a variable")
        }
        slots = variables + roots
        guard let declared = joint.factors else {
            factors = [WitnessFactorPlan(left: variables, given: roots, pointMass: false)]
            try applyDeltaFamilies(schema)
            return
        }
        factors = try declared.map { d in
            WitnessFactorPlan(left: try d.variables.map(slot), given: try d.given.map(slot), pointMass: false)
        }
        // Every variable on exactly one left side, parents inside the joint, no cycle.
        let lefts = factors.flatMap(\.left)
        guard lefts.count == Set(lefts).count, Set(lefts) == Set(variables) else {
            throw WitnessUnsupported("the factors of \(joint.name) do not cover each of its variables exactly once")
        }
        guard WitnessJointPlan.order(factors, roots: Set(roots)) != nil else {
            throw WitnessUnsupported("the factorisation of \(joint.name) is cyclic or mentions variables outside it")
        }
        try applyDeltaFamilies(schema)
    }

    /// A `Delta` family is a deterministic transition whatever the step assumes: its factor
    /// is a point mass in every instance. (Other families constrain only family-level steps,
    /// which the finite witness leaves to the Gaussian one.)
    private mutating func applyDeltaFamilies(_ schema: WitnessSchema) throws {
        for f in schema.declarations.families where f.density.joint == name {
            guard case .delta = f.kind else { continue }
            guard f.density.variables.count == 1 else {
                throw WitnessUnsupported("Delta family of \(f.density) over several variables")
            }
            try apply(Assumption(name: "family \(f.density) = Delta", kind: .deterministic(
                variable: f.density.variables[0], given: f.density.given, joint: name)), schema: schema)
        }
    }

    /// The factors in an order where each one's `given` is available, or nil.
    static func order(_ factors: [WitnessFactorPlan], roots: Set<Int>) -> [WitnessFactorPlan]? {
        var available = roots
        var pending = factors
        var out: [WitnessFactorPlan] = []
        while !pending.isEmpty {
            guard let i = pending.firstIndex(where: { Set($0.given).isSubset(of: available) }) else { return nil }
            let f = pending.remove(at: i)
            available.formUnion(f.left)
            out.append(f)
        }
        return out
    }

    /// Specialises the construction so that `assumption` holds.
    mutating func apply(_ assumption: Assumption, schema: WitnessSchema) throws {
        func fail(_ why: String) -> WitnessUnsupported {
            WitnessUnsupported("assumption '\(assumption.name)' cannot be realised by the witness: \(why)")
        }
        func slots(_ names: [String]) throws -> [Int] {
            try names.map { n in
                guard let s = schema.variableSlot[n], self.slots.contains(s) else {
                    throw fail("'\(n)' is not a variable of \(name)")
                }
                return s
            }
        }
        switch assumption.kind {
        case .deterministic(let variable, let given, _):
            let v = try slots([variable])[0]
            let g = try slots(given)
            guard let i = factors.firstIndex(where: { $0.left.contains(v) }) else {
                throw fail("\(variable) is an input of \(name), not one of its variables")
            }
            let f = factors[i]
            let rest = f.left.filter { $0 != v }
            guard Set(g).isSubset(of: Set(f.given).union(rest)) else {
                throw fail("\(variable) would depend on variables its factor in \(name) does not condition on")
            }
            var replacement: [WitnessFactorPlan] = []
            if !rest.isEmpty { replacement.append(WitnessFactorPlan(left: rest, given: f.given, pointMass: f.pointMass)) }
            replacement.append(WitnessFactorPlan(left: [v], given: g, pointMass: true))
            factors.replaceSubrange(i...i, with: replacement)

        case .equality(let lhs, let rhs):
            guard rhs.allSatisfy({ $0.joint == lhs.joint }) else { throw fail("its sides are densities of different joints") }
            let a = try slots(lhs.variables)
            let parts = try rhs.map { (left: try slots($0.variables), given: try slots($0.given)) }
            let partLefts = parts.flatMap(\.left)
            guard partLefts.count == Set(partLefts).count, Set(partLefts) == Set(a) else {
                throw fail("the right side is not over the variables of the left side")
            }
            guard let i = factors.firstIndex(where: { Set(a).isSubset(of: $0.left) }) else {
                // Across factors: each part must be one factor's conditional, dropping some
                // of its conditioning variables.
                var updated = factors
                for part in parts {
                    guard let k = updated.firstIndex(where: { Set($0.left) == Set(part.left) && !$0.pointMass
                        && Set(part.given).isSubset(of: $0.given) }) else {
                        throw fail("\(lhs) spans several factors of \(name) and the right side does not match them")
                    }
                    updated[k].given = part.given
                }
                factors = updated
                equalities.append(WitnessEquality(name: assumption.name, lhs: lhs, rhs: rhs))
                return
            }
            let f = factors[i]
            guard !f.pointMass else { throw fail("\(lhs) is already a point mass") }
            let rest = f.left.filter { !a.contains($0) }
            var replacement: [WitnessFactorPlan] = []
            if !rest.isEmpty { replacement.append(WitnessFactorPlan(left: rest, given: f.given, pointMass: false)) }
            // The parts in an order where each conditions only on what its factor may see.
            var available = Set(f.given).union(rest)
            var pending = parts
            while !pending.isEmpty {
                guard let k = pending.firstIndex(where: { Set($0.given).isSubset(of: available) }) else {
                    throw fail("the right side conditions on variables that \(lhs)'s factor in \(name) does not see")
                }
                let part = pending.remove(at: k)
                available.formUnion(part.left)
                replacement.append(WitnessFactorPlan(left: part.left, given: part.given, pointMass: false))
            }
            factors.replaceSubrange(i...i, with: replacement)
            equalities.append(WitnessEquality(name: assumption.name, lhs: lhs, rhs: rhs))
        }
    }
}

/// An equality assumption in force on a joint: `lhs = Π rhs`.
struct WitnessEquality: Hashable {
    var name: String
    var lhs: Density
    var rhs: [Density]
}

extension Assumption {
    /// The joint the assumption constrains.
    var witnessJoint: String {
        switch kind {
        case .equality(let lhs, _): return lhs.joint
        case .deterministic(_, _, let joint): return joint
        }
    }
}
