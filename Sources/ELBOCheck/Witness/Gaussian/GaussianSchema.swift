import ELBOAlgebra

/// One factor of a joint as the Gaussian witness builds it: `density` names the family that
/// parameterises it; `given` may be narrower than the declared factor's when an assumption
/// in force drops conditioning variables.
struct GaussianFactorPlan {
    var left: [Int]
    var given: [Int]
    var density: Density
}

/// A joint's factorisation with the assumptions in force applied.
struct GaussianJointPlan {
    var name: String
    var variables: [Int]
    var inputs: [Int]
    var factors: [GaussianFactorPlan]
}

/// The declarations read for a continuous (Gaussian-family) instance: variable kinds and
/// sizes, dimension symbols, `param`s with their shapes, family parameters and network
/// outputs as functions of their inputs, and each joint's factors with the assumptions in
/// force. Built per check: whether a family's variance symbol is a full covariance depends
/// on the step (`det`, `tr`, `inverse`, `ᵀ` applied to it), and assumptions narrow inputs.
struct GaussianSchema {
    let declarations: Declarations
    private(set) var variables: [GaussianVariable] = []
    private(set) var variableSlot: [String: Int] = [:]
    private(set) var dimensions: [String] = []
    private(set) var dimensionSlot: [String: Int] = [:]
    /// Dimension symbols that only count the classes of labels: drawn 2 or 3.
    private(set) var labelDimensions: Set<Int> = []
    private(set) var parameters: [GaussianParameter] = []
    private(set) var parameterSlot: [String: Int] = [:]
    private(set) var functions: [GaussianFunction] = []
    private(set) var functionSlot: [String: Int] = [:]
    /// A network applied to explicit arguments, by network name.
    private(set) var networkFunction: [String: Int] = [:]
    private(set) var joints: [String: GaussianJointPlan] = [:]

    init(_ declarations: Declarations, matrixSymbols: Set<String>, assumptions: [String]) throws {
        self.declarations = declarations
        for v in declarations.variables where variableSlot[v.name] == nil {
            variableSlot[v.name] = variables.count
            variables.append(GaussianVariable(name: v.name, kind: .real, size: .fixed(1)))
        }
        // Dimensions: declared, from variable types, from param shapes, mixture K.
        var usedForVectors: Set<String> = []
        func noteDimension(_ d: Dimension, vector: Bool) {
            guard case .symbol(let s) = d else { return }
            if dimensionSlot[s] == nil { dimensionSlot[s] = dimensions.count; dimensions.append(s) }
            if vector { usedForVectors.insert(s) }
        }
        for d in declarations.dimensions where dimensionSlot[d] == nil {
            dimensionSlot[d] = dimensions.count
            dimensions.append(d)
        }
        for v in declarations.variables {
            if case .label = v.type { noteDimension(v.type.dimension, vector: false) } else { noteDimension(v.type.dimension, vector: true) }
        }
        for p in declarations.params { p.shape.forEach { noteDimension($0, vector: true) } }
        for f in declarations.families {
            if case .mixtureNormal(_, _, _, .symbol(let k)) = f.kind { noteDimension(.symbol(k), vector: true) }
        }
        usedForVectors.formUnion(declarations.dimensions.filter { d in
            !declarations.variables.contains { if case .label(.symbol(d)) = $0.type { return true } else { return false } }
        })
        labelDimensions = Set(dimensions.indices.filter { !usedForVectors.contains(dimensions[$0]) })

        func size(_ d: Dimension) -> GaussianSize {
            switch d { case .value(let n): return .fixed(n); case .symbol(let s): return .dimension(dimensionSlot[s]!) }
        }
        for (i, v) in declarations.variables.enumerated() where variableSlot[v.name] == i {
            switch v.type {
            case .real(let d): variables[i] = GaussianVariable(name: v.name, kind: .real, size: size(d))
            case .binary(let d): variables[i] = GaussianVariable(name: v.name, kind: .binary, size: size(d))
            case .label(let d): variables[i] = GaussianVariable(name: v.name, kind: .label, size: size(d))
            }
        }

        // Params: their declared shapes; `> 0` on a square matrix is positive definite.
        let weightSymbols = Set(declarations.families.compactMap { f -> String? in
            if case .mixtureNormal(.symbol(let w), _, _, _) = f.kind { return w } else { return nil }
        })
        for p in declarations.params where parameterSlot[p.name] == nil && variableSlot[p.name] == nil {
            let shape: GaussianShape
            var role: GaussianRole = p.positive ? .positive : .free
            switch p.shape.count {
            case 0: shape = .scalar
            case 1: shape = .vector(size(p.shape[0]))
            case 2:
                shape = .matrix(size(p.shape[0]), size(p.shape[1]))
                if p.positive && p.shape[0] == p.shape[1] { role = .positiveDefinite }
                switch p.structure {
                case .spd?: role = .positiveDefinite
                case .symmetric?: role = .symmetric
                case .lower?: role = .lowerTriangular
                case nil: break
                }
            default: throw WitnessUnsupported("param \(p.name) with a shape of rank \(p.shape.count)")
            }
            if weightSymbols.contains(p.name) { role = .simplex }
            parameterSlot[p.name] = parameters.count
            let bound = role == .free || role == .positive ? p.bound.flatMap { $0 == .positive ? nil : $0 } : nil
            parameters.append(GaussianParameter(name: p.name, shape: shape, role: bound == nil ? role : .free, bound: bound))
        }

        // Family parameters and network outputs: functions of the conditioning variables of
        // the family's density, or of the network's inputs.
        let networkOf: [String: Network] = Dictionary(
            declarations.networks.flatMap { n in n.outputs.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        let networkNames = Set(declarations.networks.map(\.name))
        func isCandidate(_ s: String) -> Bool {
            variableSlot[s] == nil && dimensionSlot[s] == nil && parameterSlot[s] == nil
                && declarations.definition(s) == nil && !networkNames.contains(s)
        }
        func inputs(of name: String, family: Family) -> [Int] {
            if let n = networkOf[name] { return n.inputs.compactMap { variableSlot[$0] } }
            return family.density.given.compactMap { variableSlot[$0] }
        }
        for family in declarations.families {
            guard let first = family.density.variables.first, let v = variableSlot[first] else { continue }
            let dv = variables[v].size
            var positions: [(Expr, GaussianShape, GaussianRole)] = []
            switch family.kind {
            case .normal(let mean, let variance):
                positions.append((mean, .vector(dv), .free))
                if case .symbol(let s) = variance, matrixSymbols.contains(s) {
                    positions.append((variance, .matrix(dv, dv), .positiveDefinite))
                } else {
                    positions.append((variance, .vector(dv), .positive))
                }
            case .bernoulliLogits(let f): positions.append((f, .vector(dv), .free))
            case .bernoulli(let p): positions.append((p, .vector(dv), .unitInterval))
            case .categorical(let p): positions.append((p, .vector(dv), .simplex))
            case .categoricalLogits(let g): positions.append((g, .vector(dv), .free))
            case .delta(let f): positions.append((f, .vector(dv), .free))
            case .mixtureNormal(let w, let m, let s, let k):
                let ks: GaussianSize
                switch k {
                case .symbol(let name) where dimensionSlot[name] != nil: ks = .dimension(dimensionSlot[name]!)
                case .number(let r) where r.doubleValue == r.doubleValue.rounded() && r.doubleValue >= 1: ks = .fixed(Int(r.doubleValue))
                default: continue  // unusable; reported when the density is used
                }
                positions.append((w, .vector(ks), .simplex))
                positions.append((m, .matrix(ks, dv), .free))
                positions.append((s, .matrix(ks, dv), .positive))
            }
            for (expr, shape, bareRole) in positions {
                if case .symbol(let s) = expr, isCandidate(s) {
                    addFunction(GaussianFunction(name: s, shape: shape, role: bareRole, inputs: inputs(of: s, family: family),
                                                 explicitArguments: false))
                    continue
                }
                if case .apply(let n, _) = expr, networkNames.contains(n), networkFunction[n] == nil {
                    networkFunction[n] = functions.count
                    functions.append(GaussianFunction(name: n, shape: shape, role: bareRole == .positiveDefinite ? .positiveDefinite : .free,
                                                      inputs: [], explicitArguments: true))
                }
                for s in GaussianSchema.symbols(in: expr) where isCandidate(s) {
                    addFunction(GaussianFunction(name: s, shape: shape, role: .free, inputs: inputs(of: s, family: family),
                                                 explicitArguments: false))
                }
                for n in GaussianSchema.applications(in: expr) where networkNames.contains(n) && networkFunction[n] == nil {
                    networkFunction[n] = functions.count
                    functions.append(GaussianFunction(name: n, shape: shape, role: .free, inputs: [], explicitArguments: true))
                }
            }
        }
        for n in declarations.networks {
            for o in n.outputs where isCandidate(o) {
                addFunction(GaussianFunction(name: o, shape: .scalar, role: .free, inputs: n.inputs.compactMap { variableSlot[$0] },
                                             explicitArguments: false))
            }
            if networkFunction[n.name] == nil {
                networkFunction[n.name] = functions.count
                functions.append(GaussianFunction(name: n.name, shape: .scalar, role: .free, inputs: [], explicitArguments: true))
            }
        }

        // Joints and the assumptions in force.
        for j in declarations.joints where joints[j.name] == nil {
            let vars = j.variables.compactMap { variableSlot[$0] }
            let ins = j.given.compactMap { variableSlot[$0] }
            let factors: [GaussianFactorPlan]
            if let declared = j.factors {
                factors = declared.map { d in
                    GaussianFactorPlan(left: d.variables.compactMap { variableSlot[$0] }, given: d.given.compactMap { variableSlot[$0] },
                                       density: d)
                }
            } else {
                factors = [GaussianFactorPlan(left: vars, given: ins, density: Density(joint: j.name, variables: j.variables, given: j.given))]
            }
            joints[j.name] = GaussianJointPlan(name: j.name, variables: vars, inputs: ins, factors: factors)
        }
        for name in assumptions {
            guard let a = declarations.assumption(name) else { throw WitnessUnsupported("undeclared assumption '\(name)'") }
            try apply(a)
        }
    }

    private mutating func addFunction(_ f: GaussianFunction) {
        guard functionSlot[f.name] == nil else { return }
        functionSlot[f.name] = functions.count
        functions.append(f)
    }

    private func slots(_ names: [String]) -> Set<Int> { Set(names.compactMap { variableSlot[$0] }) }

    /// Puts an assumption in force: dropping conditioning variables of a factor makes its
    /// family's functions ignore them; splitting a factor replaces it by the parts (each with
    /// its own family); `deterministic` needs a `Delta` family.
    private mutating func apply(_ a: Assumption) throws {
        func fail(_ why: String) -> WitnessUnsupported {
            WitnessUnsupported("assumption '\(a.name)' cannot be realised by the Gaussian witness: \(why)")
        }
        switch a.kind {
        case .deterministic(let variable, _, let joint):
            guard let plan = joints[joint], let v = variableSlot[variable],
                  let f = plan.factors.first(where: { $0.left.contains(v) }) else {
                throw fail("\(variable) is not a variable of \(joint)")
            }
            guard let i = familyIndex(of: f.density), case .delta = declarations.families[i].kind else {
                throw fail("\(variable) has no Delta family in \(joint)")
            }
        case .equality(let lhs, let rhs):
            guard var plan = joints[lhs.joint] else { throw fail("undeclared joint '\(lhs.joint)'") }
            let left = slots(lhs.variables), given = slots(lhs.given)
            guard let i = plan.factors.firstIndex(where: { Set($0.left) == left && Set($0.given) == given }) else {
                throw fail("\(lhs) is not a factor of \(lhs.joint)")
            }
            if rhs.count == 1, slots(rhs[0].variables) == left, slots(rhs[0].given).isSubset(of: given), rhs[0].joint == lhs.joint {
                let kept = slots(rhs[0].given)
                let dropped = given.subtracting(kept)
                plan.factors[i].given = plan.factors[i].given.filter { kept.contains($0) }
                if let fi = familyIndex(of: plan.factors[i].density) {
                    let used = Set(declarations.families[fi].kind.expressions.flatMap(GaussianSchema.symbols(in:)))
                    for (k, f) in functions.enumerated() where used.contains(f.name) {
                        functions[k].inputs.removeAll { dropped.contains($0) }
                    }
                }
                joints[lhs.joint] = plan
                return
            }
            // A split: the parts replace the factor, in an order where each sees its parents.
            var available = given
            var pending = rhs
            var parts: [GaussianFactorPlan] = []
            let lefts = rhs.flatMap { slots($0.variables) }
            guard lefts.count == Set(lefts).count, Set(lefts) == left, rhs.allSatisfy({ $0.joint == lhs.joint }) else {
                throw fail("the right side is not over the variables of \(lhs)")
            }
            while !pending.isEmpty {
                guard let k = pending.firstIndex(where: { slots($0.given).isSubset(of: available) }) else {
                    throw fail("the parts condition on variables \(lhs) does not see")
                }
                let p = pending.remove(at: k)
                available.formUnion(slots(p.variables))
                parts.append(GaussianFactorPlan(left: p.variables.compactMap { variableSlot[$0] },
                                                given: p.given.compactMap { variableSlot[$0] }, density: p))
            }
            plan.factors.replaceSubrange(i...i, with: parts)
            joints[lhs.joint] = plan
        }
    }

    /// The family declared for exactly this density (compared as sets).
    func familyIndex(of d: Density) -> Int? {
        declarations.families.firstIndex { f in
            f.density.joint == d.joint && Set(f.density.variables) == Set(d.variables) && Set(f.density.given) == Set(d.given)
        }
    }

    /// The conditioning variables a family's factor effectively has (narrowed by assumptions).
    func effectiveGiven(ofFamily index: Int) -> [Int] {
        let d = declarations.families[index].density
        if let plan = joints[d.joint], let f = plan.factors.first(where: { familyIndex(of: $0.density) == index }) {
            return f.given
        }
        return d.given.compactMap { variableSlot[$0] }
    }

    /// The families whose product is the density `d`: its own family, or the declared factors
    /// of `d`'s variables when `d` is a product of them (its variables' factors condition only
    /// on `d`'s variables, and no factor that is not integrated away depends on them).
    /// Marginals and posteriors have no closed form in a continuous instance.
    func resolve(_ d: Density) throws -> [Int] {
        if let f = familyIndex(of: d) {
            guard d.variables.count == 1 else { throw WitnessUnsupported("the family of \(d) is over several variables") }
            return [f]
        }
        guard let plan = joints[d.joint] else { throw WitnessUnsupported("density \(d) of an undeclared joint '\(d.joint)'") }
        let members = Set(plan.variables + plan.inputs)
        for v in d.variables + d.given {
            guard let s = variableSlot[v] else { throw WitnessUnsupported("density \(d) mentions undeclared variable '\(v)'") }
            guard members.contains(s) else { throw WitnessUnsupported("density \(d) mentions '\(v)', which is not a variable of \(d.joint)") }
        }
        let a = slots(d.variables), b = slots(d.given)
        guard a.isDisjoint(with: Set(plan.inputs)) else {
            throw WitnessUnsupported("\(d) has an input on its left side: inputs have no declared distribution")
        }
        let mine = plan.factors.filter { !Set($0.left).isDisjoint(with: a) }
        for f in mine where !Set(f.left).isSubset(of: a) {
            throw WitnessUnsupported("\(d) is a marginal of the factor \(f.density): no closed form in a continuous instance")
        }
        for f in mine {
            let outside = Set(f.given).subtracting(a).subtracting(b)
            if !outside.isEmpty {
                throw WitnessUnsupported("\(d) needs the marginal over " + outside.sorted().map { variables[$0].name }.joined(separator: ", ")
                    + " of \(f.density): no closed form in a continuous instance")
            }
        }
        // Factors of variables integrated away with nothing depending on them drop out.
        let rest = Set(plan.variables).subtracting(a).subtracting(b)
        var others = plan.factors.filter { Set($0.left).isDisjoint(with: a) }
        var pruned = true
        while pruned {
            pruned = false
            for (k, g) in others.enumerated() where Set(g.left).isSubset(of: rest) {
                let needed = (others.enumerated().filter { $0.offset != k }.map(\.element) + mine)
                    .contains { !Set($0.given).isDisjoint(with: g.left) }
                if !needed { others.remove(at: k); pruned = true; break }
            }
        }
        if let g = others.first(where: { !Set($0.given).isDisjoint(with: a) }) {
            throw WitnessUnsupported("\(d) is not a product of the declared factors of \(d.joint) (\(g.density) depends on it): "
                + "a posterior has no closed form in a continuous instance")
        }
        return try mine.map { f in
            guard let i = familyIndex(of: f.density) else {
                throw WitnessUnsupported("\(f.density) has no declared family")
            }
            guard f.left.count == 1 else { throw WitnessUnsupported("the family of \(f.density) is over several variables") }
            return i
        }
    }

    // MARK: scanning expressions

    /// The names an expression mentions (bases of components included, sum indices not).
    static func symbols(in e: Expr) -> [String] {
        var out: [String] = []
        visit(e, bound: []) { sub, bound in
            switch sub {
            case .symbol(let s) where !bound.contains(s): if !out.contains(s) { out.append(s) }
            case .component(let s, _) where !bound.contains(s): if !out.contains(s) { out.append(s) }
            default: break
            }
        }
        return out
    }

    /// The names of functions applied in an expression.
    static func applications(in e: Expr) -> [String] {
        var out: [String] = []
        visit(e, bound: []) { sub, _ in if case .apply(let n, _) = sub, !out.contains(n) { out.append(n) } }
        return out
    }

    /// Symbols that a step uses as matrices: inside `det`, `tr`, `inverse` or a transpose, or
    /// inverted next to a transpose (`aᵀ S⁻¹ a`).
    static func matrixSymbols(in exprs: [Expr]) -> Set<String> {
        var out: Set<String> = []
        for e in exprs {
            visit(e, bound: []) { sub, _ in
                switch sub {
                case .apply(let n, let args) where ["det", "tr", "inverse", "transpose"].contains(n):
                    for a in args { out.formUnion(symbols(in: a)) }
                case .product(let fs):
                    guard fs.contains(where: { if case .apply("transpose", _) = $0 { return true } else { return false } }) else { break }
                    for f in fs {
                        if case .power(.symbol(let s), .number(let r)) = f, r.doubleValue < 0 { out.insert(s) }
                    }
                default: break
                }
            }
        }
        return out
    }

    /// Pre-order traversal with the sum indices bound at each point.
    static func visit(_ e: Expr, bound: Set<String>, _ f: (Expr, Set<String>) -> Void) {
        f(e, bound)
        switch e {
        case .number, .constant, .symbol, .component, .density, .stepRef: return
        case .normalDensity(let a, let b, let c): for x in [a, b, c] { visit(x, bound: bound, f) }
        case .sum(let xs), .product(let xs), .apply(_, let xs): for x in xs { visit(x, bound: bound, f) }
        case .power(let a, let b), .kl(let a, let b), .expectation(let a, let b):
            visit(a, bound: bound, f); visit(b, bound: bound, f)
        case .log(let a), .exp(let a), .entropy(let a), .norm2(let a), .integral(let a, _): visit(a, bound: bound, f)
        case .indexedSum(let j, let from, let to, let body):
            visit(from, bound: bound, f); visit(to, bound: bound, f); visit(body, bound: bound.union([j]), f)
        }
    }
}
