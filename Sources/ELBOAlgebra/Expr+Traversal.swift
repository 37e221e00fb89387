/// Generic traversals of `Expr`: children, rebuilding, substitution, symbol collection.
extension Expr {
    /// The immediate sub-expressions.
    public var children: [Expr] {
        switch self {
        case .number, .constant, .symbol, .component, .density, .stepRef: return []
        case .normalDensity(let a, let b, let c): return [a, b, c]
        case .sum(let xs), .product(let xs), .apply(_, let xs): return xs
        case .power(let a, let b), .kl(let a, let b), .expectation(let a, let b): return [a, b]
        case .log(let a), .exp(let a), .entropy(let a), .norm2(let a), .integral(let a, _): return [a]
        case .indexedSum(_, let a, let b, let c): return [a, b, c]
        }
    }

    /// Rebuilds the node with new children (same count and order as `children`).
    public func withChildren(_ c: [Expr]) -> Expr {
        switch self {
        case .number, .constant, .symbol, .component, .density, .stepRef: return self
        case .normalDensity: return .normalDensity(point: c[0], mean: c[1], variance: c[2])
        case .sum: return .add(c)
        case .product: return .mul(c)
        case .apply(let n, _): return .apply(n, c)
        case .power: return .power(c[0], c[1])
        case .kl: return .kl(c[0], c[1])
        case .expectation: return .expectation(measure: c[0], body: c[1])
        case .log: return .log(c[0])
        case .exp: return .exp(c[0])
        case .entropy: return .entropy(c[0])
        case .norm2: return .norm2(c[0])
        case .integral(_, let v): return .integral(c[0], over: v)
        case .indexedSum(let i, _, _, _): return .indexedSum(index: i, from: c[0], to: c[1], body: c[2])
        }
    }

    /// Bottom-up rewrite: `f` returns a replacement for a node or nil to keep it.
    public func rewritten(_ f: (Expr) -> Expr?) -> Expr {
        if let r = f(self) { return r }
        let kids = children
        if kids.isEmpty { return self }
        return withChildren(kids.map { $0.rewritten(f) })
    }

    /// Replaces symbols (and components `name_j` of replaced vectors) by expressions; a
    /// density over a replaced variable becomes that density at the point (`f(z = e)` for
    /// `define f(z) = log p(x | z)` is `log p(x | z = e)`).
    public func substituting(_ map: [String: Expr]) -> Expr {
        rewritten { node in
            if let (d, bindings) = node.densityAtPoint {
                // The bound variables are names, not values: only the points are substituted,
                // and the density's other variables may become points themselves.
                let bound = Set(bindings.map(\.0))
                let more = (d.variables + d.given).compactMap { v -> (String, Expr)? in
                    guard !bound.contains(v), let r = map[v], r != .symbol(v) else { return nil }
                    return (v, r)
                }
                return Expr.densityAt(d, bindings.map { ($0.0, $0.1.substituting(map)) } + more)
            }
            switch node {
            case .symbol(let s): return map[s]
            case .density(let d):
                let bindings = (d.variables + d.given).compactMap { v -> (String, Expr)? in
                    guard let r = map[v], r != .symbol(v) else { return nil }
                    return (v, r)
                }
                return bindings.isEmpty ? nil : Expr.densityAt(d, bindings)
            case .component(let base, let index):
                guard let r = map[base] else { return nil }
                if case .symbol(let s) = r { return .component(s, index: index) }
                return r.componentwise(index)
            default: return nil
            }
        }
    }

    /// Reads a vector expression at component `index`: `(a - b)_j = a_j - b_j`.
    public func componentwise(_ index: String) -> Expr {
        rewritten { node in
            if case .symbol(let s) = node { return .component(s, index: index) }
            // A density at a point is a scalar value, not a vector.
            if node.densityAtPoint != nil { return node }
            return nil
        }
    }

    /// Every symbol name mentioned (symbols, component bases, density variables).
    public var symbols: Set<String> {
        var out = Set<String>()
        func walk(_ e: Expr) {
            switch e {
            case .symbol(let s): out.insert(s)
            case .component(let b, let i): out.insert(b); out.insert(i)
            case .density(let d): out.formUnion(d.allVariables)
            default: break
            }
            for c in e.children { walk(c) }
        }
        walk(self)
        return out
    }

    /// Whether the expression mentions densities, integrals, expectations, KL or entropy.
    public var containsProbability: Bool {
        switch self {
        case .density, .integral, .expectation, .kl, .entropy: return true
        default: return children.contains { $0.containsProbability }
        }
    }
}

extension Expr {
    /// Reads `∫ A ∫ B dv dw` as the double integral of `A·B` over v and w (the product
    /// measure), whichever sign each differential sits under: a run of differentials closes
    /// the whole nest of integral signs together, as in seed 000's step (5). An inner integral
    /// is pooled only when it is a direct factor of the outer integrand.
    public var pooledNestedIntegrals: Expr {
        rewritten { node in
            guard case .integral(let body, let outer) = node else { return nil }
            let body2 = body.pooledNestedIntegrals
            var factors: [Expr]
            if case .product(let fs) = body2 { factors = fs } else { factors = [body2] }
            let inner = factors.indices.filter { if case .integral = factors[$0] { return true }; return false }
            guard inner.count == 1, case .integral(let innerBody, let innerVars) = factors[inner[0]] else {
                return .integral(body2, over: outer)
            }
            factors[inner[0]] = innerBody
            return .integral(.mul(factors), over: innerVars + outer)
        }
    }
}
