import ELBOAlgebra

/// Why a loss term cannot be lowered to the kernel IR. Each case carries the term.
public enum KernelLoweringError: Error, Equatable, CustomStringConvertible {
    /// A construct the kernel IR has no form for (a density, an integral, an unknown function).
    case unsupported(term: String, reason: String)
    /// A symbol that is neither an input, a parameter nor a dimension.
    case unknownSymbol(String, term: String)
    /// A vector (input or parameter) used where a scalar is needed, e.g. `mu` outside a sum.
    case vectorAsScalar(String, term: String)
    /// A component whose index ranges over another dimension than the vector's.
    case dimensionMismatch(component: String, vectorDimension: String, indexDimension: String)
    /// A sum whose bounds are not `1` to a dimension symbol or literal.
    case badBounds(term: String)
    /// A component index that no enclosing sum binds.
    case unboundIndex(String, term: String)

    public var description: String {
        switch self {
        case .unsupported(let t, let r): return "cannot generate code for '\(t)': \(r)"
        case .unknownSymbol(let s, let t): return "unknown symbol '\(s)' in '\(t)'"
        case .vectorAsScalar(let s, let t): return "'\(s)' is a vector but is used as a scalar in '\(t)'"
        case .dimensionMismatch(let c, let v, let i):
            return "component '\(c)' indexes a vector of dimension \(v) with an index over \(i)"
        case .badBounds(let t): return "sum '\(t)' must run from 1 to a dimension"
        case .unboundIndex(let i, let t): return "index '\(i)' in '\(t)' is not bound by a sum"
        }
    }
}

/// Lowers scalar loss terms to the kernel IR: `+ × ^ log exp`, numbers, π, symbols,
/// components inside finite sums, and the functions `softplus`, `sigmoid`, `logsigmoid`,
/// `log1p`, `expm1`, `sqrt`, `abs`, `logsumexp` (of a sum) and `entry(P, i, j)` (a matrix
/// parameter's component).
public struct KernelLowering {
    /// Per-example inputs: name → dimension (nil for a scalar).
    public var inputs: [String: String?]
    /// Parameters: name → shape.
    public var params: [String: [String]]
    /// Dimension symbols usable as numbers.
    public var dimensions: Set<String>

    /// The loop nest being lowered into, outermost first.
    var path: [LoopLevel] = []
    /// Sum indices in scope → their levels.
    var indices: [String: LoopLevel] = [:]

    public init(inputs: [String: String?], params: [String: [String]], dimensions: Set<String>) {
        self.inputs = inputs; self.params = params; self.dimensions = dimensions
    }

    /// Lowers a per-example scalar term.
    public mutating func lower(_ e: Expr, into g: inout KernelGraph) throws -> ValueID {
        try lowerTerm(e, &g)
    }

    /// Lowers a vector term at component `index` of a loop over `dimension` (a sampler's mean,
    /// a sum's body).
    ///
    /// The loop is placed just inside the innermost enclosing loop whose index the term uses,
    /// not inside all of them: Σ_l a_l within a sum over i does not depend on i, so it sits
    /// outside the loop over i and is computed once.
    public mutating func lower(_ e: Expr, index: String, over dimension: String,
                               into g: inout KernelGraph) throws -> (value: ValueID, level: LoopLevel) {
        let used = e.symbols.subtracting([index])
        var depth = 0
        for (i, level) in indices where used.contains(i) {
            if let p = path.firstIndex(of: level) { depth = max(depth, p + 1) }
        }
        let level = LoopLevel(dimension: dimension, depth: depth)
        if g.indexNames[level] == nil { g.indexNames[level] = index }
        let saved = (path, indices)
        path = Array(path.prefix(depth)) + [level]
        indices = indices.filter { path.contains($0.value) }
        indices[index] = level
        defer { (path, indices) = saved }
        return (try lowerTerm(e, &g), level)
    }

    mutating func lowerTerm(_ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        let v = try lowerNode(e, &g)
        if g.labels[v] == nil, g.constantValue(v) == nil { g.labels[v] = e.description }
        return v
    }

    mutating func lowerNode(_ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        switch e {
        case .number(let r): return g.constant(r.doubleValue)
        case .constant(let c): return g.constant(c == .pi ? Double.pi : 2.718_281_828_459_045)
        case .symbol(let s): return try symbol(s, e, &g)
        case .component(let base, let index): return try component(base, [index], e, &g)
        case .sum(let terms): return try sum(terms, &g)
        case .product(let factors): return try product(factors, &g)
        case .power(let base, let exponent): return try power(base, exponent, &g)
        case .log(let a): return g.log(try lowerTerm(a, &g))
        case .exp(let a): return g.exp(try lowerTerm(a, &g))
        case .indexedSum(let index, let from, let to, let body):
            return try indexedSum(.sum(LoopLevel(dimension: "", depth: 0)), index, from, to, body, e, &g)
        case .norm2(let v):
            guard let d = vectorDimension(v) else {
                throw KernelLoweringError.unsupported(term: e.description, reason: "the dimension of the vector is unknown")
            }
            let j = "_n\(path.count)"
            return try indexedSum(.sum(LoopLevel(dimension: "", depth: 0)), j, .int(1), .symbol(d),
                                  .power(componentwise(v, j), .int(2)), e, &g)
        case .apply(let f, let args): return try function(f, args, e, &g)
        case .density, .normalDensity, .integral, .expectation, .kl, .entropy, .stepRef:
            throw KernelLoweringError.unsupported(term: e.description,
                                            reason: "probability terms must be reduced to closed forms or Monte Carlo estimates first")
        }
    }

    func symbol(_ s: String, _ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        if let d = inputs[s] {
            if d != nil { throw KernelLoweringError.vectorAsScalar(s, term: e.description) }
            return g.leaf(.input(s, levels: []), context: path)
        }
        if let shape = params[s] {
            if !shape.isEmpty { throw KernelLoweringError.vectorAsScalar(s, term: e.description) }
            return g.leaf(.param(s, levels: []), context: path)
        }
        if dimensions.contains(s) { return g.leaf(.dimension(s), context: path) }
        throw KernelLoweringError.unknownSymbol(s, term: e.description)
    }

    func component(_ base: String, _ idx: [String], _ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        let levels = try idx.map { i -> LoopLevel in
            guard let l = indices[i] else { throw KernelLoweringError.unboundIndex(i, term: e.description) }
            return l
        }
        let shape: [String]
        let op: KernelOp
        if let d = inputs[base] {
            shape = d.map { [$0] } ?? []
            op = .input(base, levels: levels)
        } else if let s = params[base] {
            shape = s
            op = .param(base, levels: levels)
        } else {
            throw KernelLoweringError.unknownSymbol(base, term: e.description)
        }
        guard shape.count == levels.count else {
            throw KernelLoweringError.unsupported(term: e.description,
                                            reason: "'\(base)' has \(shape.count) dimension(s), indexed by \(levels.count)")
        }
        for (d, l) in zip(shape, levels) where d != l.dimension {
            throw KernelLoweringError.dimensionMismatch(component: e.description, vectorDimension: d, indexDimension: l.dimension)
        }
        return g.leaf(op, context: path)
    }

    mutating func sum(_ terms: [Expr], _ g: inout KernelGraph) throws -> ValueID {
        var acc: ValueID?
        for t in terms {
            if let positive = Self.negated(t) {
                let v = try lowerTerm(positive, &g)
                acc = acc.map { g.sub($0, v) } ?? g.neg(v)
            } else {
                let v = try lowerTerm(t, &g)
                acc = acc.map { g.add($0, v) } ?? v
            }
        }
        return acc ?? g.constant(0)
    }

    /// The term without its minus sign, if it has a negative literal coefficient.
    static func negated(_ e: Expr) -> Expr? {
        switch e {
        case .number(let r) where r.numerator < 0: return .number(-r)
        case .product(let fs):
            guard case .number(let c) = fs.first, c.numerator < 0 else { return nil }
            return .mul([.number(-c)] + fs.dropFirst())
        default: return nil
        }
    }

    mutating func product(_ factors: [Expr], _ g: inout KernelGraph) throws -> ValueID {
        var numerator: ValueID?
        var denominator: ValueID?
        for f in factors {
            if case .power(let b, .number(let r)) = f, r.numerator < 0 {
                let v = try power(b, .number(-r), &g)
                denominator = denominator.map { g.mul($0, v) } ?? v
            } else {
                let v = try lowerTerm(f, &g)
                numerator = numerator.map { g.mul($0, v) } ?? v
            }
        }
        let n = numerator ?? g.constant(1)
        return denominator.map { g.div(n, $0) } ?? n
    }

    mutating func power(_ base: Expr, _ exponent: Expr, _ g: inout KernelGraph) throws -> ValueID {
        let b = try lowerTerm(base, &g)
        if case .number(let r) = exponent {
            if let n = r.intValue, n.magnitude <= 1 << 20 { return g.powInt(b, n) }
            return g.powReal(b, r.doubleValue)
        }
        // a^e = exp(e · log a) for a > 0.
        return g.exp(g.mul(try lowerTerm(exponent, &g), g.log(b)))
    }

    mutating func indexedSum(_ op: KernelOp, _ index: String, _ from: Expr, _ to: Expr, _ body: Expr,
                             _ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        guard from == .int(1) else { throw KernelLoweringError.badBounds(term: e.description) }
        let dimension: String
        switch to {
        case .symbol(let d) where dimensions.contains(d): dimension = d
        case .number(let r) where r.isInteger && r.numerator > 0: dimension = "\(r.numerator)"
        default: throw KernelLoweringError.badBounds(term: e.description)
        }
        let (v, level) = try lower(body, index: index, over: dimension, into: &g)
        let kind: KernelOp
        switch op {
        case .logsumexp: kind = .logsumexp(level)
        default: kind = .sum(level)
        }
        return g.reduce(kind, level: level, v)
    }

    mutating func function(_ f: String, _ args: [Expr], _ e: Expr, _ g: inout KernelGraph) throws -> ValueID {
        let unary: [String: KernelOp] = [
            "softplus": .softplus, "sigmoid": .sigmoid, "logsigmoid": .logsigmoid, "log1p": .log1p,
            "expm1": .expm1, "sqrt": .sqrt, "abs": .abs, "log": .log, "exp": .exp,
        ]
        if let op = unary[f] {
            guard args.count == 1 else {
                throw KernelLoweringError.unsupported(term: e.description, reason: "\(f) takes one argument")
            }
            return g.apply(op, [try lowerTerm(args[0], &g)])
        }
        switch f {
        case "logsumexp":
            guard args.count == 1, case .indexedSum(let i, let from, let to, let body) = args[0] else {
                throw KernelLoweringError.unsupported(term: e.description, reason: "logsumexp takes one finite sum")
            }
            return try indexedSum(.logsumexp(LoopLevel(dimension: "", depth: 0)), i, from, to, body, e, &g)
        case "entry":
            guard args.count >= 2, case .symbol(let base) = args[0] else {
                throw KernelLoweringError.unsupported(term: e.description, reason: "entry(P, i, j) takes a name and indices")
            }
            let idx = try args.dropFirst().map { a -> String in
                guard case .symbol(let i) = a else {
                    throw KernelLoweringError.unsupported(term: e.description, reason: "entry indices must be sum indices")
                }
                return i
            }
            return try component(base, idx, e, &g)
        default:
            throw KernelLoweringError.unsupported(term: e.description, reason: "unknown function '\(f)'")
        }
    }

    /// The dimension of the first vector symbol in `e`.
    func vectorDimension(_ e: Expr) -> String? {
        for s in e.symbols.sorted() {
            if let d = inputs[s] ?? nil { return d }
            if let shape = params[s], shape.count == 1 { return shape[0] }
        }
        return nil
    }

    /// `e` read at component `index`: vector inputs and parameters become components,
    /// scalars and dimensions stay.
    public func componentwise(_ e: Expr, _ index: String) -> Expr {
        e.rewritten { node in
            guard case .symbol(let s) = node else { return nil }
            if let d = inputs[s], d != nil { return .component(s, index: index) }
            if let shape = params[s], shape.count == 1 { return .component(s, index: index) }
            return node
        }
    }
}
