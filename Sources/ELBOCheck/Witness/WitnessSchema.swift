import ELBOAlgebra

/// The length of a vector-valued symbol: one, a literal, or the value of a dimension symbol
/// (which differs between instances).
enum WitnessLength: Hashable {
    case one
    case fixed(Int)
    case dimension(Int)
}

/// A learnable scalar or vector symbol: a `param`, a family parameter or a network output.
struct WitnessParameter {
    var name: String
    var length: WitnessLength
    var positive: Bool
    /// The declared constraint of a `param` (values are drawn inside it); a `param` without
    /// one takes values of both signs.
    var bound: ParamBound? = nil
    var isDeclaredParam = false
    /// Whether the symbol is a parameter of a distribution family (mixing such symbols with
    /// densities that have families needs the Gaussian witness).
    var isFamilyParameter: Bool
    /// Set when the symbol's shape is one the witness cannot represent.
    var unsupported: String?
}

/// The declarations numbered for fast evaluation: variables, dimension symbols and learnable
/// symbols get integer slots. Built once per engine; independent of any step.
struct WitnessSchema {
    let declarations: Declarations
    let variables: [Variable]
    let variableSlot: [String: Int]
    let variableLength: [WitnessLength]
    let dimensions: [String]
    let dimensionSlot: [String: Int]
    let parameters: [WitnessParameter]
    let parameterSlot: [String: Int]

    init(_ declarations: Declarations) {
        self.declarations = declarations
        variables = declarations.variables
        var vslot: [String: Int] = [:]
        for (i, v) in declarations.variables.enumerated() where vslot[v.name] == nil { vslot[v.name] = i }
        variableSlot = vslot

        var dims: [String] = []
        func noteDimension(_ d: Dimension) {
            if case .symbol(let s) = d, !dims.contains(s) { dims.append(s) }
        }
        for d in declarations.dimensions where !dims.contains(d) { dims.append(d) }
        for v in declarations.variables { noteDimension(v.type.dimension) }
        for p in declarations.params { p.shape.forEach(noteDimension) }
        dimensions = dims
        var dslot: [String: Int] = [:]
        for (i, d) in dims.enumerated() { dslot[d] = i }
        dimensionSlot = dslot

        func length(_ d: Dimension) -> WitnessLength {
            switch d {
            case .value(let n): return .fixed(n)
            case .symbol(let s): return .dimension(dslot[s]!)
            }
        }
        variableLength = declarations.variables.map { v -> WitnessLength in
            if case .label = v.type { return .one }  // a label used as a number is its class index
            return length(v.type.dimension)
        }

        var params: [WitnessParameter] = []
        var pslot: [String: Int] = [:]
        func add(_ p: WitnessParameter) {
            guard pslot[p.name] == nil, vslot[p.name] == nil, dslot[p.name] == nil,
                  declarations.definition(p.name) == nil else { return }
            pslot[p.name] = params.count
            params.append(p)
        }
        for p in declarations.params {
            switch p.shape.count {
            case 0: add(WitnessParameter(name: p.name, length: .one, positive: p.positive, bound: p.bound,
                                         isDeclaredParam: true, isFamilyParameter: false))
            case 1: add(WitnessParameter(name: p.name, length: length(p.shape[0]), positive: p.positive, bound: p.bound,
                                         isDeclaredParam: true, isFamilyParameter: false))
            default:
                add(WitnessParameter(name: p.name, length: .one, positive: p.positive, isFamilyParameter: false,
                                     unsupported: "param \(p.name) with a shape of rank \(p.shape.count)"))
            }
        }
        // A symbol first appearing in a family is a parameter of it, with one component per
        // component of the family's variable.
        for f in declarations.families {
            var len = WitnessLength.one
            if let first = f.density.variables.first, let v = declarations.variable(first) { len = length(v.type.dimension) }
            for name in WitnessSchema.symbols(in: f.kind) {
                add(WitnessParameter(name: name, length: len, positive: false, isFamilyParameter: true))
            }
        }
        for n in declarations.networks {
            for o in n.outputs { add(WitnessParameter(name: o, length: .one, positive: false, isFamilyParameter: false)) }
        }
        parameters = params
        parameterSlot = pslot
    }

    /// Whether a `family` declaration is attached to this density (compared as sets).
    func hasFamily(_ d: Density) -> Bool {
        declarations.families.contains { f in
            f.density.joint == d.joint && Set(f.density.variables) == Set(d.variables)
                && Set(f.density.given) == Set(d.given)
        }
    }

    /// The names a family's parameter expressions mention.
    private static func symbols(in kind: FamilyKind) -> [String] {
        var out: [String] = []
        for e in kind.expressions { collectSymbols(e, bound: [], into: &out) }
        return out
    }

    private static func collectSymbols(_ e: Expr, bound: Set<String>, into out: inout [String]) {
        func note(_ s: String) { if !bound.contains(s), !out.contains(s) { out.append(s) } }
        switch e {
        case .number, .constant, .density, .stepRef: return
        case .symbol(let s): note(s)
        case .component(let s, _): note(s)
        case .normalDensity(let a, let b, let c):
            for x in [a, b, c] { collectSymbols(x, bound: bound, into: &out) }
        case .sum(let xs), .product(let xs), .apply(_, let xs):
            for x in xs { collectSymbols(x, bound: bound, into: &out) }
        case .power(let a, let b), .kl(let a, let b), .expectation(let a, let b):
            collectSymbols(a, bound: bound, into: &out); collectSymbols(b, bound: bound, into: &out)
        case .log(let a), .exp(let a), .entropy(let a), .norm2(let a), .integral(let a, _):
            collectSymbols(a, bound: bound, into: &out)
        case .indexedSum(let j, let from, let to, let body):
            collectSymbols(from, bound: bound, into: &out); collectSymbols(to, bound: bound, into: &out)
            collectSymbols(body, bound: bound.union([j]), into: &out)
        }
    }
}
