/// What the scalar algebra knows about the symbols of a derivation: which are vectors (and
/// of which dimension), which are known positive, which are random variables, which are
/// functions of other symbols (network outputs of their inputs), and the `define`d
/// shorthands.
public struct ScalarContext: Sendable {
    /// Vector symbols and their dimension; scalars are absent.
    public var dimensions: [String: Dimension]
    /// Symbols known to be strictly positive (componentwise for vectors). Dimension symbols
    /// are always included.
    public var positive: Set<String>
    /// The random variables.
    public var variables: Set<String>
    /// Direct dependencies: `mu_theta` depends on `z`.
    public var functionsOf: [String: Set<String>]
    /// `define`d shorthands by name.
    public var definitions: [String: Definition]
    /// Declared constraints of scalar `param`s (`beta ≥ 1`, `b < 0`): the non-negativity
    /// certificate may write `beta = 1 + t` with `t ≥ 0` (rule `constant-bound`).
    public var bounds: [String: ParamBound] = [:]
    /// Symbols known to be non-negative (zero allowed): the slack `t` of a non-strict bound.
    public var nonNegative: Set<String> = []
    /// `label` variables: their components are one-hot (rule `one-hot`).
    public var labels: Set<String> = []
    /// Matrix-shaped `param`s (`param S[m, m]`). The scalar algebra multiplies elementwise
    /// and commutes every product, so it refuses them (and transposes) rather than prove
    /// `tr(B A C) = tr(A B C)`; the witness judges such steps.
    public var matrices: Set<String> = []

    /// A context from explicit facts. Dimension symbols used in `dimensions` are positive.
    public init(dimensions: [String: Dimension] = [:], positive: Set<String> = [], variables: Set<String> = [],
                functionsOf: [String: Set<String>] = [:], definitions: [Definition] = []) {
        self.dimensions = dimensions
        self.positive = positive
        self.variables = variables
        self.functionsOf = functionsOf
        self.definitions = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for case .symbol(let s) in dimensions.values { self.positive.insert(s) }
    }

    /// The facts a derivation declares: variable dimensions, `param` shapes and `> 0`,
    /// family parameters (the dimension of the family's variable), Normal variances and
    /// probabilities given as a symbol are positive, networks' outputs depend on their inputs.
    public init(declarations d: Declarations) {
        var dims: [String: Dimension] = [:]
        var positive = Set(d.dimensions)
        func vector(_ dim: Dimension) -> Dimension? { dim == .value(1) ? nil : dim }
        for v in d.variables {
            if case .symbol(let s) = v.type.dimension { positive.insert(s) }
            switch v.type {
            case .real(let dim), .binary(let dim): dims[v.name] = vector(dim)
            // A label's components are its one-hot encoding (y_c = [y = c]) over its classes.
            case .label(let classes): dims[v.name] = vector(classes)
            }
        }
        var bounds: [String: ParamBound] = [:]
        var matrices = Set<String>()
        for p in d.params {
            if p.shape.count == 1 { dims[p.name] = vector(p.shape[0]) }
            if p.shape.count >= 2 { matrices.insert(p.name) }
            if p.positive { positive.insert(p.name) }
            if p.shape.isEmpty, let b = p.bound { bounds[p.name] = b }
        }
        let known = Set(d.variables.map(\.name)).union(d.dimensions).union(d.params.map(\.name)).union(positive)
        for f in d.families {
            let dim: Dimension? = f.density.variables.count == 1
                ? d.variable(f.density.variables[0]).flatMap { v -> Dimension? in
                    if case .label = v.type { return nil }
                    return vector(v.type.dimension)
                } : nil
            func assign(_ e: Expr, _ dim: Dimension?, positiveIfSymbol: Bool = false) {
                for s in e.symbols.subtracting(known) where dims[s] == nil { dims[s] = dim }
                if positiveIfSymbol, case .symbol(let s) = e { positive.insert(s) }
            }
            switch f.kind {
            case .normal(let m, let v):
                assign(m, dim); assign(v, dim, positiveIfSymbol: true)
            case .bernoulliLogits(let e), .delta(let e):
                assign(e, dim)
            case .bernoulli(let e), .categorical(let e):
                assign(e, dim, positiveIfSymbol: true)
            case .categoricalLogits(let g):
                // One logit per class of the label.
                let classes = f.density.variables.count == 1 ? d.variable(f.density.variables[0]).map { vector($0.type.dimension) } ?? nil : nil
                assign(g, classes)
            case .mixtureNormal(let w, let m, let v, let k):
                var kd: Dimension? = nil
                if case .symbol(let s) = k { kd = .symbol(s); positive.insert(s) }
                if case .number(let r) = k, let n = r.intValue { kd = vector(.value(n)) }
                assign(w, kd, positiveIfSymbol: true); assign(m, dim); assign(v, dim, positiveIfSymbol: true)
            }
        }
        var deps: [String: Set<String>] = [:]
        for n in d.networks { for o in n.outputs { deps[o, default: []].formUnion(n.inputs) } }
        self.init(dimensions: dims, positive: positive, variables: Set(d.variables.map(\.name)),
                  functionsOf: deps, definitions: d.definitions)
        self.bounds = bounds
        self.matrices = matrices
        self.labels = Set(d.variables.filter { if case .label = $0.type { return true } else { return false } }.map(\.name))
    }

    /// Everything `name` depends on, transitively (not including itself).
    public func dependencies(of name: String) -> Set<String> {
        var out = Set<String>(), stack = Array(functionsOf[name] ?? [])
        while let n = stack.popLast() {
            if out.insert(n).inserted { stack += functionsOf[n] ?? [] }
        }
        return out
    }

    // MARK: - Positivity

    /// Whether the atom is known to be strictly positive (where defined).
    public func isPositive(_ a: ScalarAtom) -> Bool {
        switch a {
        case .symbol(let s), .component(let s), .indexed(let s, _): return positive.contains(s)
        case .pi, .exp: return true
        case .inverse(let s): return isPositive(s)
        case .log(let f): return f.constantValue.map { $0 > .one } ?? false
        case .sum(_, let body): return isPositive(body)
        case .power, .opaque: return false
        }
    }

    /// Whether the atom is known to be non-negative: positive, or a non-negative slack symbol.
    public func isNonNegative(_ a: ScalarAtom) -> Bool {
        if case .symbol(let s) = a, nonNegative.contains(s) { return true }
        return isPositive(a)
    }

    /// Whether the form is known to be strictly positive: every term is a positive multiple
    /// of positive atoms and even powers, and one term has no even power of an atom of
    /// unknown sign.
    public func isPositive(_ f: ScalarForm) -> Bool {
        guard !f.isZero else { return false }
        if f.terms.count > 1, f.hasReciprocals, let (n, dens) = f.together(), n != f {
            // `1 − 1/(1 + e^t) = e^t/(1 + e^t)`: positive when N and every S_k are.
            return isPositive(n) && dens.allSatisfy { isPositive($0.0) }
        }
        var strict = false
        for (t, c) in f.terms {
            guard c > .zero else { return false }
            var termStrict = true
            for (a, n) in t.factors where !isPositive(a) {
                guard n % 2 == 0 else { return false }
                if n > 0 { termStrict = false }
            }
            if termStrict { strict = true }
        }
        return strict
    }
}
