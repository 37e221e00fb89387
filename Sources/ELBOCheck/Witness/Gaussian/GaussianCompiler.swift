import ELBOAlgebra
import Foundation

/// Both sides of a step compiled for continuous instances.
struct GaussianProgram {
    var schema: GaussianSchema
    var sides: [GaussianNode]
    var factors: [GaussianFactor]
    /// Variables not bound on either side (including inputs of the functions used), sorted.
    var freeVariables: [Int]
    /// One line per measure used, for counterexamples.
    var measureTexts: [String]
    var indexCount: Int
    var localCount: Int
    var assumptions: [String]

    /// Compiles the sides with the named assumptions in force.
    static func compile(_ sides: [Expr], declarations: Declarations, assumptions: [String]) throws -> GaussianProgram {
        let matrices = GaussianSchema.matrixSymbols(in: sides + declarations.definitions.map(\.body))
        let schema = try GaussianSchema(declarations, matrixSymbols: matrices, assumptions: assumptions)
        var c = GaussianCompiler(schema: schema)
        let nodes = try sides.map { try c.compile($0) }
        return GaussianProgram(schema: schema, sides: nodes, factors: c.factors, freeVariables: c.free.sorted(),
                               measureTexts: c.measureTexts, indexCount: c.indexCount, localCount: c.localCount,
                               assumptions: assumptions)
    }
}

/// Resolves the names of spec expressions against a `GaussianSchema`, replaces densities by
/// their families' factors, and turns every integral, expectation, KL and entropy into a
/// quadrature over the measures it integrates against. No simplification.
struct GaussianCompiler {
    let schema: GaussianSchema
    private(set) var factors: [GaussianFactor] = []
    private var factorOfFamily: [Int: Int] = [:]
    private var boundCount: [Int]
    private(set) var free: Set<Int> = []
    private(set) var measureTexts: [String] = []
    private var scope = DefinitionScope()
    private var indexScope: [String: Int] { get { scope.indices } set { scope.indices = newValue } }
    private var localScope: [String: Int] { get { scope.locals } set { scope.locals = newValue } }
    private(set) var indexCount = 0
    var localCount: Int { scope.localCount }
    /// While compiling a family: the variables its parameters read (not step references).
    private var collecting: Set<Int>?

    init(schema: GaussianSchema) {
        self.schema = schema
        boundCount = Array(repeating: 0, count: schema.variables.count)
    }

    mutating func compile(_ e: Expr) throws -> GaussianNode {
        switch e {
        case .number(let r):
            return .constant(r.doubleValue)
        case .constant(let c):
            switch c { case .pi: return .constant(Double.pi); case .e: return .constant(M_E) }
        case .symbol(let s):
            return try symbol(s)
        case .component(let base, let index):
            return .component(try symbol(base), try indexRef(index))
        case .density(let d):
            // A define's parameter that rebinds a variable: the density at that point.
            let rebound = (d.variables + d.given).compactMap { v in scope.rebound[v].flatMap { l in schema.variableSlot[v].map { ($0, l) } } }
            if !rebound.isEmpty {
                let slots = rebound.map(\.0)
                bind(slots)
                defer { unbind(slots) }
                return .atPoint(slots: slots, values: rebound.map { .local($0.1) }, body: try plainDensity(d))
            }
            return try plainDensity(d)
        case .normalDensity(let point, let mean, let variance):
            return .normalDensity(try compile(point), try compile(mean), try compile(variance))
        case .sum(let terms):
            return .sum(try terms.map { try compile($0) })
        case .product(let fs):
            return .product(try fs.map { try compile($0) })
        case .power(let base, let exponent):
            return .power(try compile(base), try compile(exponent))
        case .log(let a):
            return .log(try compile(a))
        case .exp(let a):
            return .exp(try compile(a))
        case .integral(let body, let names):
            let slots = try DefinitionScope.integrationSlots(names, variableSlot: schema.variableSlot)
            return try integral(body, over: slots)
        case .expectation(let measure, let body):
            return try expectation(measure, body)
        case .kl(let p, let q):
            let slots = try boundVariables(of: p, role: "the first argument of KL")
            bind(slots)
            defer { unbind(slots) }
            let pn = try compile(p), qn = try compile(q)
            let measures = try measuresOf(pn, slots: slots, role: "KL(\(p) || …)")
            return .integrate(measures, .sum([.log(pn), .product([.constant(-1), .log(qn)])]))
        case .entropy(let p):
            let slots = try boundVariables(of: p, role: "the argument of H")
            bind(slots)
            defer { unbind(slots) }
            let pn = try compile(p)
            let measures = try measuresOf(pn, slots: slots, role: "H(\(p))")
            return .integrate(measures, .product([.constant(-1), .log(pn)]))
        case .indexedSum(let j, let from, let to, let body):
            let f = try compile(from), t = try compile(to)
            let slot = indexCount
            indexCount += 1
            let saved = indexScope[j]
            indexScope[j] = slot
            defer { indexScope[j] = saved }
            return .indexedSum(index: slot, from: f, to: t, body: try compile(body))
        case .norm2(let a):
            return .norm2(try compile(a))
        case .apply(let name, let args):
            if let (d, bindings) = e.densityAtPoint {
                var slots: [Int] = [], values: [GaussianNode] = []
                for (v, value) in bindings {
                    guard let s = schema.variableSlot[v] else { throw WitnessUnsupported("'\(v)' is not a variable of \(d)") }
                    slots.append(s)
                    values.append(try compile(value))
                }
                bind(slots)
                defer { unbind(slots) }
                return .atPoint(slots: slots, values: values, body: try compile(.density(d)))
            }
            if let b = GaussianBuiltin(rawValue: name) {
                guard args.count == 1 else { throw WitnessUnsupported("\(name) with \(args.count) arguments") }
                return .builtin(b, try compile(args[0]))
            }
            if let f = schema.networkFunction[name] {
                return .apply(f, try args.map { try compile($0) })
            }
            guard let def = schema.declarations.definition(name) else {
                throw WitnessUnsupported("function '\(name)' (neither built in nor defined)")
            }
            return try expand(def, args)
        case .stepRef(let label):
            throw WitnessUnsupported("reference to step (\(label)); resolve it before checking")
        }
    }

    /// A density by its families' factors.
    private mutating func plainDensity(_ d: Density) throws -> GaussianNode {
        let ids = try schema.resolve(d).map { try factor(ofFamily: $0) }
        for v in d.variables + d.given { if let s = schema.variableSlot[v] { reference(s) } }
        for id in ids { for s in factors[id].dependencies { reference(s) } }
        return .density(ids, text: d.description)
    }

    // MARK: names

    private mutating func symbol(_ s: String) throws -> GaussianNode {
        if let l = localScope[s] { return .local(l) }
        if let j = indexScope[s] { return .index(j) }
        if let v = schema.variableSlot[s] {
            reference(v)
            return .variable(v)
        }
        if let d = schema.dimensionSlot[s] { return .dimension(d) }
        if let p = schema.parameterSlot[s] { return .parameter(p) }
        if let f = schema.functionSlot[s] {
            for v in schema.functions[f].inputs { reference(v) }
            return .function(f)
        }
        if let def = schema.declarations.definition(s), def.parameters.isEmpty { return try expand(def, []) }
        throw WitnessUnsupported("undeclared symbol '\(s)'")
    }

    private func indexRef(_ index: String) throws -> WitnessIndex {
        try scope.index(index, dimensionSlot: schema.dimensionSlot)
    }

    private mutating func expand(_ def: Definition, _ args: [Expr]) throws -> GaussianNode {
        try scope.check(def, arguments: args.count)
        let argumentNodes = try args.map { try compile($0) }
        let (slots, saved) = scope.enter(def, arguments: args) { schema.variableSlot[$0] != nil }
        defer { scope.leave(saved) }
        return .bind(locals: slots, arguments: argumentNodes, body: try compile(def.body))
    }

    private mutating func reference(_ slot: Int) {
        if collecting != nil { collecting!.insert(slot); return }
        if boundCount[slot] == 0 { free.insert(slot) }
    }

    private mutating func bind(_ slots: [Int]) { for s in slots { boundCount[s] += 1 } }
    private mutating func unbind(_ slots: [Int]) { for s in slots { boundCount[s] -= 1 } }

    // MARK: families

    /// The factor of a family declaration, compiled once.
    private mutating func factor(ofFamily index: Int) throws -> Int {
        if let id = factorOfFamily[index] { return id }
        let family = schema.declarations.families[index]
        guard family.density.variables.count == 1, let v = schema.variableSlot[family.density.variables[0]] else {
            throw WitnessUnsupported("the family of \(family.density) is over several variables")
        }
        let saved = (collecting, localScope, indexScope)
        collecting = []
        localScope = [:]
        indexScope = [:]
        defer { (collecting, localScope, indexScope) = saved }
        let kind = schema.variables[v].kind
        let compiled: GaussianFamily
        switch family.kind {
        case .normal(let m, let s):
            guard kind == .real else { throw WitnessUnsupported("a Normal family for \(schema.variables[v].name), which is not real") }
            compiled = .normal(mean: try compile(m), variance: try compile(s))
        case .bernoulliLogits(let f):
            guard kind == .binary else { throw WitnessUnsupported("a Bernoulli family for \(schema.variables[v].name), which is not binary") }
            compiled = .bernoulliLogits(try compile(f))
        case .bernoulli(let p):
            guard kind == .binary else { throw WitnessUnsupported("a Bernoulli family for \(schema.variables[v].name), which is not binary") }
            compiled = .bernoulli(try compile(p))
        case .categorical(let p):
            guard kind == .label else { throw WitnessUnsupported("a Categorical family for \(schema.variables[v].name), which is not a label") }
            compiled = .categorical(try compile(p))
        case .categoricalLogits(let g):
            guard kind == .label else { throw WitnessUnsupported("a Categorical family for \(schema.variables[v].name), which is not a label") }
            compiled = .categorical(.builtin(.softmax, try compile(g)))
        case .mixtureNormal(let w, let m, let s, let k):
            guard kind == .real else { throw WitnessUnsupported("a MixtureNormal family for \(schema.variables[v].name), which is not real") }
            let ks: GaussianSize
            switch k {
            case .symbol(let name) where schema.dimensionSlot[name] != nil: ks = .dimension(schema.dimensionSlot[name]!)
            case .number(let r) where r.doubleValue >= 1 && r.doubleValue == r.doubleValue.rounded(): ks = .fixed(Int(r.doubleValue))
            default: throw WitnessUnsupported("MixtureNormal with component count \(k), not a dimension or an integer")
            }
            compiled = .mixture(weights: try compile(w), means: try compile(m), variances: try compile(s), components: ks)
        case .delta(let f):
            guard kind == .real else { throw WitnessUnsupported("a Delta family for \(schema.variables[v].name), which is not real") }
            compiled = .delta(try compile(f))
        }
        var deps = collecting ?? []
        deps.formUnion(schema.effectiveGiven(ofFamily: index))
        guard !deps.contains(v) else {
            throw WitnessUnsupported("the family of \(family.density) depends on \(schema.variables[v].name) itself")
        }
        let text = "\(family.density) = \(family.kind.gaussianText)"
        factors.append(GaussianFactor(variable: v, given: schema.effectiveGiven(ofFamily: index), family: compiled,
                                      dependencies: deps, text: text))
        factorOfFamily[index] = factors.count - 1
        return factors.count - 1
    }

    // MARK: binders

    /// The variables a KL or H argument integrates: its densities' left sides, or the point
    /// of an explicit `N(v; m, V)`.
    private func boundVariables(of e: Expr, role: String) throws -> [Int] {
        if case .normalDensity(.symbol(let v), _, _) = e, let s = schema.variableSlot[v] { return [s] }
        let ds: [Density]
        switch e {
        case .density(let d): ds = [d]
        case .product(let fs):
            ds = try fs.map { f -> Density in
                guard case .density(let d) = f else { throw WitnessUnsupported("\(role) is not a density or a product of densities") }
                return d
            }
        default: throw WitnessUnsupported("\(role) is not a density, a product of densities or N(v; m, V)")
        }
        var slots: [Int] = []
        for d in ds {
            for v in d.variables {
                guard let s = schema.variableSlot[v] else { throw WitnessUnsupported("undeclared variable '\(v)' in \(role)") }
                if !slots.contains(s) { slots.append(s) }
            }
        }
        return slots
    }

    /// The measures of a compiled density-like node (a density, a product of densities, an
    /// explicit Normal): one per bound variable.
    private mutating func measuresOf(_ node: GaussianNode, slots: [Int], role: String) throws -> [GaussianMeasure] {
        var measures: [GaussianMeasure] = []
        func add(_ n: GaussianNode) throws {
            switch n {
            case .density(let ids, _):
                for id in ids { measures.append(.factor(variable: factors[id].variable, factor: id)) }
            case .normalDensity(.variable(let v), let m, let s):
                guard schema.variables[v].kind == .real else { throw WitnessUnsupported("N(\(schema.variables[v].name); …) of a discrete variable") }
                measures.append(.normal(variable: v, mean: m, variance: s, dependencies: variablesRead(m).union(variablesRead(s))))
            case .product(let fs):
                for f in fs { try add(f) }
            default:
                throw WitnessUnsupported("\(role): the measure is not a density, a product of densities or N(v; m, V)")
            }
        }
        try add(node)
        let covered = measures.map(\.variable)
        guard covered.count == Set(covered).count, Set(covered) == Set(slots) else {
            throw WitnessUnsupported("\(role): the measure's factors do not cover its variables exactly once")
        }
        for m in measures {
            if case .factor(let v, let id) = m, case .delta = factors[id].family, schema.variables[v].kind != .real {
                throw WitnessUnsupported("a Delta family for a discrete variable")
            }
        }
        return try order(measures)
    }

    private mutating func expectation(_ measure: Expr, _ body: Expr) throws -> GaussianNode {
        let slots = try boundVariables(of: measure, role: "the measure of an expectation")
        bind(slots)
        defer { unbind(slots) }
        let m = try compile(measure)
        let measures = try measuresOf(m, slots: slots, role: "E_{\(measure)}")
        return .integrate(measures, try compile(body))
    }

    /// `∫ X dV`: a discrete variable is summed; a real one is integrated by quadrature on the
    /// first factor of X that is a density of it with a Normal, mixture or Delta family (or an
    /// explicit `N(v; m, V)`), and that factor leaves the integrand. A sum integrates termwise.
    private mutating func integral(_ body: Expr, over slots: [Int]) throws -> GaussianNode {
        if case .sum(let terms) = body { return .sum(try terms.map { try integral($0, over: slots) }) }
        bind(slots)
        defer { unbind(slots) }
        let children: [Expr]
        if case .product(let fs) = body { children = fs } else { children = [body] }
        var nodes = try children.map { try compile($0) }
        var measures: [GaussianMeasure] = []
        for v in slots {
            if schema.variables[v].kind != .real { measures.append(.counting(variable: v)); continue }
            var found = false
            for i in nodes.indices where !found {
                switch nodes[i] {
                case .density(let ids, let text):
                    guard let k = ids.firstIndex(where: { factors[$0].variable == v && factors[$0].family.isContinuous }) else { continue }
                    measures.append(.factor(variable: v, factor: ids[k]))
                    var rest = ids
                    rest.remove(at: k)
                    nodes[i] = rest.isEmpty ? .constant(1) : .density(rest, text: text)
                    found = true
                case .normalDensity(.variable(v), let m, let s):
                    let deps = variablesRead(m).union(variablesRead(s))
                    guard !deps.contains(v) else { continue }
                    measures.append(.normal(variable: v, mean: m, variance: s, dependencies: deps))
                    nodes[i] = .constant(1)
                    found = true
                default:
                    continue
                }
            }
            if !found {
                throw WitnessUnsupported("∫ … d\(schema.variables[v].name): no Gaussian measure for \(schema.variables[v].name) "
                    + "(the integrand has no factor that is a density of it with a Normal, MixtureNormal or Delta family, "
                    + "nor N(\(schema.variables[v].name); m, V))")
            }
        }
        let rest = nodes.filter { if case .constant(1) = $0 { return false } else { return true } }
        let integrand: GaussianNode = rest.isEmpty ? .constant(1) : rest.count == 1 ? rest[0] : .product(rest)
        return .integrate(try order(measures), integrand)
    }

    /// The measures in an order where each one's parameters are bound before it.
    private mutating func order(_ measures: [GaussianMeasure]) throws -> [GaussianMeasure] {
        let vars = Set(measures.map(\.variable))
        func deps(_ m: GaussianMeasure) -> Set<Int> {
            switch m {
            case .factor(_, let id): return factors[id].dependencies.intersection(vars)
            case .normal(_, _, _, let d): return d.intersection(vars)
            case .counting: return []
            }
        }
        var available: Set<Int> = []
        var pending = measures
        var out: [GaussianMeasure] = []
        while !pending.isEmpty {
            guard let k = pending.firstIndex(where: { deps($0).subtracting([$0.variable]).isSubset(of: available) && !deps($0).contains($0.variable) }) else {
                throw WitnessUnsupported("the measures of " + measures.map { schema.variables[$0.variable].name }.joined(separator: ", ")
                    + " depend on each other cyclically")
            }
            let m = pending.remove(at: k)
            available.insert(m.variable)
            out.append(m)
        }
        for m in out { noteMeasure(m) }
        return out
    }

    private mutating func noteMeasure(_ m: GaussianMeasure) {
        let name = schema.variables[m.variable].name
        let text: String
        switch m {
        case .factor(_, let id):
            switch factors[id].family {
            case .normal: text = "\(name) ~ \(factors[id].text): Gauss–Hermite"
            case .mixture: text = "\(name) ~ \(factors[id].text): Gauss–Hermite per mixture component"
            case .delta: text = "\(name) ~ \(factors[id].text): the point"
            case .bernoulli, .bernoulliLogits, .categorical: text = "\(name) ~ \(factors[id].text): every value"
            }
        case .normal: text = "\(name) ~ N(\(name); …): Gauss–Hermite"
        case .counting: text = "\(name): sum over every value"
        }
        if !measureTexts.contains(text) { measureTexts.append(text) }
    }

    /// The variables a compiled node reads, free in it.
    func variablesRead(_ node: GaussianNode) -> Set<Int> {
        var out: Set<Int> = []
        func walk(_ n: GaussianNode) {
            switch n {
            case .constant, .dimension, .parameter, .local, .index: return
            case .function(let f): out.formUnion(schema.functions[f].inputs)
            case .apply(_, let args): args.forEach(walk)
            case .variable(let v): out.insert(v)
            case .component(let b, _): walk(b)
            case .density(let ids, _):
                for id in ids { out.insert(factors[id].variable); out.formUnion(factors[id].dependencies) }
            case .normalDensity(let a, let b, let c): walk(a); walk(b); walk(c)
            case .sum(let xs), .product(let xs): xs.forEach(walk)
            case .power(let a, let b): walk(a); walk(b)
            case .log(let a), .exp(let a), .norm2(let a), .builtin(_, let a): walk(a)
            case .integrate(let ms, let body):
                var inner = variablesRead(body)
                for m in ms {
                    switch m {
                    case .factor(_, let id): inner.formUnion(factors[id].dependencies)
                    case .normal(_, let a, let b, _): inner.formUnion(variablesRead(a)); inner.formUnion(variablesRead(b))
                    case .counting: break
                    }
                }
                inner.subtract(ms.map(\.variable))
                out.formUnion(inner)
            case .indexedSum(_, let a, let b, let body): walk(a); walk(b); walk(body)
            case .bind(_, let args, let body): args.forEach(walk); walk(body)
            case .atPoint(let slots, let values, let body):
                values.forEach(walk)
                out.formUnion(variablesRead(body).subtracting(slots))
            }
        }
        walk(node)
        return out
    }
}

extension GaussianFamily {
    /// Whether it can be a quadrature measure of a real variable.
    var isContinuous: Bool {
        switch self {
        case .normal, .mixture, .delta: return true
        case .bernoulli, .bernoulliLogits, .categorical: return false
        }
    }
}

extension FamilyKind {
    var gaussianText: String {
        switch self {
        case .normal(let m, let v): return "Normal(\(m), \(v))"
        case .bernoulliLogits(let f): return "Bernoulli(logits = \(f))"
        case .bernoulli(let p): return "Bernoulli(\(p))"
        case .categorical(let p): return "Categorical(\(p))"
        case .categoricalLogits(let g): return "Categorical(logits = \(g))"
        case .mixtureNormal(let w, let m, let v, let k): return "MixtureNormal(\(w), \(m), \(v); \(k))"
        case .delta(let f): return "Delta(\(f))"
        }
    }
}
