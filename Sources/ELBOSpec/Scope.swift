import ELBOAlgebra

/// The symbols that first appear inside a `family` declaration: the family's parameters
/// (`mu`, `s` in `Normal(mu, exp(s))`). Variables, dimensions and `param`s are excluded;
/// network outputs that a family uses are included (a network produces them).
public func familyParameters(of declarations: Declarations) -> Set<String> {
    declarations.familyParameters
}

/// Every name an expression of the derivation may use as a value: variables, dimensions,
/// `param`s, family parameters and network outputs.
public func knownSymbols(of declarations: Declarations) -> Set<String> {
    var names = familyParameters(of: declarations)
    names.formUnion(declarations.variables.map(\.name))
    names.formUnion(declarations.dimensions)
    names.formUnion(declarations.params.map(\.name))
    for n in declarations.networks { names.formUnion(n.outputs) }
    return names
}

/// Adds the names of `.symbol`s and the bases of `.component`s in `e` to `names`.
func collectSymbols(_ e: Expr, into names: inout Set<String>) {
    visitSubterms(e) { sub in
        switch sub {
        case .symbol(let s): names.insert(s)
        case .component(let base, _): names.insert(base)
        default: break
        }
    }
}

/// Calls `visit` on `e` and every subterm, parents first.
func visitSubterms(_ e: Expr, _ visit: (Expr) -> Void) {
    visit(e)
    for c in specSubterms(e) { visitSubterms(c, visit) }
}

/// The immediate subterms of `e`.
func specSubterms(_ e: Expr) -> [Expr] {
    switch e {
    case .number, .constant, .symbol, .component, .density, .stepRef: return []
    case .normalDensity(let p, let m, let v): return [p, m, v]
    case .sum(let ts), .product(let ts), .apply(_, let ts): return ts
    case .power(let a, let b), .kl(let a, let b): return [a, b]
    case .log(let a), .exp(let a), .entropy(let a), .norm2(let a), .integral(let a, _): return [a]
    case .expectation(let m, let b): return [m, b]
    case .indexedSum(_, let from, let to, let body): return [from, to, body]
    }
}

/// The variables on the left sides of a density or a product of densities; nil for any
/// other expression.
func leftVariables(_ e: Expr) -> Set<String>? {
    switch e {
    case .density(let d): return Set(d.variables)
    case .normalDensity(.symbol(let v), _, _): return [v]
    case .product(let fs):
        var out: Set<String> = []
        for f in fs {
            guard let vars = leftVariables(f), !isProduct(f) else { return nil }
            out.formUnion(vars)
        }
        return out
    default: return nil
    }
}

/// Whether `e` can stand where a distribution is expected (KL, H, a measure).
func isDensityLike(_ e: Expr) -> Bool {
    if case .normalDensity = e { return true }
    return leftVariables(e) != nil
}

/// What an expression parser knows about the derivation it reads.
struct Scope {
    var declarations: Declarations
    /// Names usable as values.
    var symbols: Set<String>
    var networkNames: Set<String>
    /// Labels of the derivation's steps, for `(7)` references in objectives.
    var stepLabels: Set<String> = []
    /// In an objective, `(LABEL)` refers to a step and must name one.
    var objectiveMode = false
    /// In a `family`, an unknown name declares a family parameter instead of being an error.
    var familyMode = false
    /// Words that end an expression (the clauses of a step).
    var stopWords: Set<String> = []
    /// The sizes and indexed families of a derivation being unrolled at one size; nil for a
    /// derivation without plates or chains.
    var plate: PlateContext?

    init(declarations: Declarations, familyParameters extra: Set<String> = []) {
        self.declarations = declarations
        self.symbols = knownSymbols(of: declarations).union(extra)
        self.networkNames = Set(declarations.networks.map(\.name))
    }

    /// The subscript-free joint a density name refers to: `p_theta` names joint `p` when `p`
    /// is declared by `model` or `guide`.
    func joint(named name: String) -> Joint? {
        if let j = declarations.joint(name) { return j }
        if let us = name.firstIndex(of: "_"), let j = declarations.joint(String(name[..<us])) { return j }
        return nil
    }

    /// The dimension of the vectors whose component `base_j` a sum ranges over, if known.
    func dimension(ofComponentBase base: String) -> Dimension? {
        if let v = declarations.variable(base) { return v.type.dimension }
        if let p = declarations.params.first(where: { $0.name == base }), let d = p.shape.first { return d }
        for f in declarations.families {
            var names: Set<String> = []
            for e in f.kind.expressions { collectSymbols(e, into: &names) }
            if names.contains(base), let v = f.density.variables.first, let variable = declarations.variable(v) {
                return variable.type.dimension
            }
        }
        return nil
    }
}

extension Dimension {
    /// The dimension as an expression: a symbol or an integer literal.
    var specExpr: Expr {
        switch self {
        case .symbol(let s): return .symbol(s)
        case .value(let v): return .int(v)
        }
    }
}

private func isProduct(_ e: Expr) -> Bool { if case .product = e { return true } else { return false } }
