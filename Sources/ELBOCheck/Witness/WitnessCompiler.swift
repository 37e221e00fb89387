import ELBOAlgebra
import Foundation

/// A density of a step with its variables numbered: `joint(left | given)`, slots sorted so
/// that `p(a, b | c)` and `p(b, a | c)` share one table.
struct WitnessDensityRef: Hashable {
    var joint: String
    var left: [Int]
    var given: [Int]
    /// As written in the step, for messages.
    var text: String
}

/// Both sides of a step, compiled against one schema so that they share density ids.
struct WitnessProgram {
    var sides: [WitnessNode]
    var densities: [WitnessDensityRef]
    /// Variables not bound by an integral, expectation, KL or entropy on either side, sorted.
    var freeVariables: [Int]
    /// Variables used as numbers (shown with their values in counterexamples).
    var valueVariables: Set<Int>
    var indexCount: Int
    var localCount: Int
    /// Whether a density with a `family` declaration occurs.
    var mentionsFamilyDensity: Bool
    /// Whether `N(x; m, v)` or a family parameter occurs.
    var mentionsGaussianScalars: Bool
    /// The joints whose densities occur.
    var joints: Set<String> { Set(densities.map(\.joint)) }
}

/// Resolves the names of spec expressions and checks that the witness can evaluate them.
/// This is the one place where the witness reads `Expr`; it does no simplification.
struct WitnessCompiler {
    let schema: WitnessSchema
    private(set) var densities: [WitnessDensityRef] = []
    private var densityID: [WitnessDensityRef: Int] = [:]
    private var boundCount: [Int]
    private(set) var free: Set<Int> = []
    private(set) var valueVariables: Set<Int> = []
    private var scope = DefinitionScope()
    private var indexScope: [String: Int] { get { scope.indices } set { scope.indices = newValue } }
    private var localScope: [String: Int] { get { scope.locals } set { scope.locals = newValue } }
    private(set) var indexCount = 0
    var localCount: Int { scope.localCount }
    private(set) var mentionsFamilyDensity = false
    private(set) var mentionsGaussianScalars = false

    init(schema: WitnessSchema) {
        self.schema = schema
        boundCount = Array(repeating: 0, count: schema.variables.count)
    }

    /// Compiles the given sides into one program.
    static func program(_ sides: [Expr], schema: WitnessSchema) throws -> WitnessProgram {
        var c = WitnessCompiler(schema: schema)
        let nodes = try sides.map { try c.compile($0) }
        return WitnessProgram(sides: nodes, densities: c.densities, freeVariables: c.free.sorted(),
                              valueVariables: c.valueVariables, indexCount: c.indexCount,
                              localCount: c.localCount, mentionsFamilyDensity: c.mentionsFamilyDensity,
                              mentionsGaussianScalars: c.mentionsGaussianScalars)
    }

    mutating func compile(_ e: Expr) throws -> WitnessNode {
        switch e {
        case .number(let r):
            return .constant(r.doubleValue)
        case .constant(let c):
            switch c { case .pi: return .constant(Double.pi); case .e: return .constant(M_E) }
        case .symbol(let s):
            return try symbol(s)
        case .component(let base, let index):
            let node = try symbol(base)
            if case .variable(let slot) = node, case .label = schema.variables[slot].type {
                return .oneHot(slot, try indexRef(index))
            }
            return .component(node, try indexRef(index))
        case .density(let d):
            if let v = (d.variables + d.given).first(where: { scope.rebound[$0] != nil }) {
                // A finite domain has no value at an arbitrary point.
                throw WitnessUnsupported("\(d) with \(v) bound to an argument of a define (a density at a point)")
            }
            return .density(try density(d))
        case .normalDensity(let point, let mean, let variance):
            mentionsGaussianScalars = true
            return .normalDensity(try compile(point), try compile(mean), try compile(variance))
        case .sum(let terms):
            return .sum(try terms.map { try compile($0) })
        case .product(let factors):
            return .product(try factors.map { try compile($0) })
        case .power(let base, let exponent):
            return .power(try compile(base), try compile(exponent))
        case .log(let a):
            return .log(try compile(a))
        case .exp(let a):
            return .exp(try compile(a))
        case .integral(let body, let names):
            let slots = try DefinitionScope.integrationSlots(names, variableSlot: schema.variableSlot)
            bind(slots)
            defer { unbind(slots) }
            return .integral(slots, try compile(body))
        case .expectation(let measure, let body):
            let slots = try leftVariables(of: measure, in: "the measure of an expectation")
            bind(slots)
            defer { unbind(slots) }
            return .expectation(slots, measure: try compile(measure), body: try compile(body))
        case .kl(let p, let q):
            let slots = try leftVariables(of: p, in: "the first argument of KL")
            bind(slots)
            defer { unbind(slots) }
            return .kl(slots, try compile(p), try compile(q))
        case .entropy(let p):
            let slots = try leftVariables(of: p, in: "the argument of H")
            bind(slots)
            defer { unbind(slots) }
            return .entropy(slots, try compile(p))
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
            if let b = WitnessBuiltin(rawValue: name) {
                guard args.count == 1 else { throw WitnessUnsupported("\(name) with \(args.count) arguments") }
                return .builtin(b, try compile(args[0]))
            }
            guard let def = schema.declarations.definition(name) else {
                throw WitnessUnsupported("function '\(name)' (neither built in nor defined)")
            }
            return try expand(def, args)
        case .stepRef(let label):
            throw WitnessUnsupported("reference to step (\(label)); resolve it before checking")
        }
    }

    // MARK: names

    private mutating func symbol(_ s: String) throws -> WitnessNode {
        if let l = localScope[s] { return .local(l) }
        if let j = indexScope[s] { return .index(j) }
        if let v = schema.variableSlot[s] {
            reference(v)
            valueVariables.insert(v)
            return .variable(v)
        }
        if let d = schema.dimensionSlot[s] { return .dimension(d) }
        if let p = schema.parameterSlot[s] {
            let parameter = schema.parameters[p]
            if let why = parameter.unsupported { throw WitnessUnsupported(why) }
            if parameter.isFamilyParameter { mentionsGaussianScalars = true }
            return .parameter(p)
        }
        if let def = schema.declarations.definition(s), def.parameters.isEmpty { return try expand(def, []) }
        throw WitnessUnsupported("undeclared symbol '\(s)'")
    }

    private func indexRef(_ index: String) throws -> WitnessIndex {
        try scope.index(index, dimensionSlot: schema.dimensionSlot)
    }

    private mutating func expand(_ def: Definition, _ args: [Expr]) throws -> WitnessNode {
        try scope.check(def, arguments: args.count)
        let argumentNodes = try args.map { try compile($0) }
        let (slots, saved) = scope.enter(def, arguments: args) { schema.variableSlot[$0] != nil }
        defer { scope.leave(saved) }
        return .bind(locals: slots, arguments: argumentNodes, body: try compile(def.body))
    }

    // MARK: densities and binders

    private mutating func density(_ d: Density) throws -> Int {
        guard let joint = schema.declarations.joint(d.joint) else {
            throw WitnessUnsupported("density \(d) of an undeclared joint '\(d.joint)'")
        }
        let members = Set(joint.variables + joint.given)
        for v in d.variables + d.given {
            guard schema.variableSlot[v] != nil else { throw WitnessUnsupported("density \(d) mentions undeclared variable '\(v)'") }
            guard members.contains(v) else {
                throw WitnessUnsupported("density \(d) mentions '\(v)', which is not a variable of \(d.joint)")
            }
        }
        guard !d.variables.isEmpty else { throw WitnessUnsupported("density \(d) has no variables") }
        guard Set(d.variables).count == d.variables.count, Set(d.given).count == d.given.count,
              Set(d.variables).isDisjoint(with: d.given) else {
            throw WitnessUnsupported("density \(d) repeats a variable")
        }
        let left = d.variables.map { schema.variableSlot[$0]! }.sorted()
        let given = d.given.map { schema.variableSlot[$0]! }.sorted()
        for s in left + given { reference(s) }
        if schema.hasFamily(d) { mentionsFamilyDensity = true }
        let key = WitnessDensityRef(joint: d.joint, left: left, given: given, text: "")
        if let id = densityID[key] { return id }
        densityID[key] = densities.count
        var named = key
        named.text = d.description
        densities.append(named)
        return densities.count - 1
    }

    private mutating func reference(_ slot: Int) {
        if boundCount[slot] == 0 { free.insert(slot) }
    }

    /// The variables on the left sides of a density or a product of densities.
    private func leftVariables(of measure: Expr, in role: String) throws -> [Int] {
        let ds: [Density]
        switch measure {
        case .density(let d): ds = [d]
        case .product(let fs):
            ds = try fs.map { f -> Density in
                guard case .density(let d) = f else {
                    throw WitnessUnsupported("\(role) is not a density or a product of densities")
                }
                return d
            }
        default:
            throw WitnessUnsupported("\(role) is not a density or a product of densities")
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

    private mutating func bind(_ slots: [Int]) { for s in slots { boundCount[s] += 1 } }
    private mutating func unbind(_ slots: [Int]) { for s in slots { boundCount[s] -= 1 } }
}
