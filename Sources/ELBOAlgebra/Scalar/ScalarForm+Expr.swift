/// Back from canonical forms to readable expressions, and the variables a form depends on.
extension ScalarForm {
    /// A readable expression with the same value; `ScalarNormalizer.normalize` gives the form
    /// back. Sums get indices `j`, `i`, `l`, … (avoiding indices the form already uses).
    public func toExpr() -> Expr {
        var used = Set<String>()
        collectIndices(&used)
        let names = ["j", "i", "l", "n", "r", "t"].filter { !used.contains($0) }
            + (1...9).map { "j\($0)" }.filter { !used.contains($0) }
        return expr(bound: nil, depth: 0, names: names)
    }

    private func collectIndices(_ out: inout Set<String>) {
        for t in terms.keys { for a in t.factors.keys { a.collectIndices(&out) } }
    }

    func expr(bound: String?, depth: Int, names: [String]) -> Expr {
        if terms.isEmpty { return .number(.zero) }
        return .add(sortedTerms.map { t, c in t.expr(coefficient: c, bound: bound, depth: depth, names: names) })
    }
}

extension ScalarTerm {
    func expr(coefficient c: Rational, bound: String?, depth: Int, names: [String]) -> Expr {
        if let d = range {
            let index = names[min(depth, names.count - 1)]
            let body = ScalarTerm(factors: factors).expr(coefficient: .one, bound: index, depth: depth + 1, names: names)
            let dim: Expr
            switch d { case .symbol(let s): dim = .symbol(s); case .value(let n): dim = .int(n) }
            return .mul([.number(c), .indexedSum(index: index, from: .int(1), to: dim, body: body)])
        }
        var numerator: [Expr] = [], denominator: [Expr] = []
        for (a, n) in factors.sorted(by: { $0.key.description < $1.key.description }) {
            let base = a.expr(bound: bound, depth: depth, names: names)
            let k = abs(n)
            let factor = k == 1 ? base : .power(base, .int(k))
            if n > 0 { numerator.append(factor) } else { denominator.append(factor) }
        }
        let num = Expr.mul([.number(c)] + numerator)
        return denominator.isEmpty ? num : .divide(num, .mul(denominator))
    }
}

extension ScalarAtom {
    func expr(bound: String?, depth: Int, names: [String]) -> Expr {
        switch self {
        case .symbol(let s): return .symbol(s)
        case .component(let s): return bound.map { .component(s, index: $0) } ?? .symbol(s)
        case .indexed(let s, let i): return .component(s, index: i)
        case .pi: return .constant(.pi)
        case .log(let f): return .log(f.expr(bound: bound, depth: depth, names: names))
        case .exp(let f): return f == .one ? .constant(.e) : .exp(f.expr(bound: bound, depth: depth, names: names))
        case .inverse(let f): return .power(f.expr(bound: bound, depth: depth, names: names), .int(-1))
        case .sum(let d, let body):
            let t = ScalarTerm(range: d, factors: body.singleTerm?.0.factors ?? [:])
            return t.expr(coefficient: .one, bound: bound, depth: depth, names: names)
        case .power(let b, let e):
            return .power(b.expr(bound: bound, depth: depth, names: names), e.expr(bound: bound, depth: depth, names: names))
        case .opaque(let n, let args):
            return .apply(n, args.map { $0.expr(bound: bound, depth: depth, names: names) })
        }
    }

    func collectIndices(_ out: inout Set<String>) {
        switch self {
        case .indexed(_, let i): out.insert(i)
        case .symbol, .component, .pi: break
        case .log(let f), .exp(let f), .inverse(let f), .sum(_, let f):
            for t in f.terms.keys { for a in t.factors.keys { a.collectIndices(&out) } }
        case .power(let b, let e):
            for f in [b, e] { for t in f.terms.keys { for a in t.factors.keys { a.collectIndices(&out) } } }
        case .opaque(_, let args):
            for f in args { for t in f.terms.keys { for a in t.factors.keys { a.collectIndices(&out) } } }
        }
    }
}

extension ScalarForm {
    /// The random variables the form depends on, directly or through functions of them
    /// (network outputs of their inputs).
    public func freeVariables(context: ScalarContext) -> Set<String> {
        var names = Set<String>()
        collectNames(&names)
        var out = Set<String>()
        for n in names {
            if context.variables.contains(n) { out.insert(n) }
            out.formUnion(context.dependencies(of: n).intersection(context.variables))
        }
        return out
    }

    /// Every symbol and function name mentioned.
    public var symbolNames: Set<String> {
        var names = Set<String>()
        collectNames(&names)
        return names
    }

    func collectNames(_ out: inout Set<String>) {
        for t in terms.keys {
            if case .symbol(let s)? = t.range { out.insert(s) }
            for a in t.factors.keys {
                switch a {
                case .symbol(let s), .component(let s), .indexed(let s, _): out.insert(s)
                case .pi: break
                case .log(let f), .exp(let f), .inverse(let f): f.collectNames(&out)
                case .sum(let d, let f):
                    if case .symbol(let s) = d { out.insert(s) }
                    f.collectNames(&out)
                case .power(let b, let e): b.collectNames(&out); e.collectNames(&out)
                case .opaque(let n, let args): out.insert(n); for f in args { f.collectNames(&out) }
                }
            }
        }
    }
}
