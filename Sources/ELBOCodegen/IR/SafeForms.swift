import ELBOAlgebra

/// A named rewrite of a loss term into a numerically safe form, applied before lowering.
public struct SafeFormRule: Sendable {
    /// The name reports and generated headers print.
    public let name: String
    /// The term it matches, in spec syntax, for documentation.
    public let pattern: String
    let rewrite: @Sendable (Expr) -> Expr?
}

/// The safe-form rules, one table, tried in order at every node bottom-up until none applies.
///
/// Each replaces a form that overflows or cancels in floating point by one that does not:
/// log(1 + eᵃ) overflows for a ≳ 89 in Float, eᵃ − 1 cancels for small a, log Σ exp
/// overflows unless shifted by the maximum.
public enum SafeForms {
    public static let rules: [SafeFormRule] = [
        SafeFormRule(name: "log-exp", pattern: "log(exp(a)) → a") { e in
            guard case .log(.exp(let a)) = e else { return nil }
            return a
        },
        SafeFormRule(name: "exp-log", pattern: "exp(log(a)) → a") { e in
            guard case .exp(.log(let a)) = e else { return nil }
            return a
        },
        SafeFormRule(name: "power-exp", pattern: "exp(a)^r → exp(r·a)") { e in
            guard case .power(.exp(let a), .number(let r)) = e else { return nil }
            return .exp(.mul([.number(r), a]))
        },
        SafeFormRule(name: "softplus", pattern: "log(1 + exp(a)) → softplus(a)") { e in
            guard case .log(let arg) = e, let a = onePlus(arg), case .exp(let x) = a else { return nil }
            return .apply("softplus", [x])
        },
        SafeFormRule(name: "sigmoid", pattern: "1 / (1 + exp(a)) → sigmoid(-a)") { e in
            guard case .power(let base, .number(let r)) = e, r == Rational(-1),
                  let a = onePlus(base), case .exp(let x) = a else { return nil }
            return .apply("sigmoid", [.negate(x)])
        },
        SafeFormRule(name: "logsigmoid", pattern: "log(sigmoid(a)) → logsigmoid(a)") { e in
            guard case .log(.apply("sigmoid", let args)) = e, args.count == 1 else { return nil }
            return .apply("logsigmoid", args)
        },
        SafeFormRule(name: "log-one-minus-sigmoid", pattern: "log(1 - sigmoid(a)) → logsigmoid(-a)") { e in
            guard case .log(let arg) = e, let a = onePlus(arg), case .product(let fs) = a, fs.count == 2,
                  fs[0] == .number(Rational(-1)), case .apply("sigmoid", let args) = fs[1], args.count == 1 else { return nil }
            return .apply("logsigmoid", [.negate(args[0])])
        },
        SafeFormRule(name: "log-power", pattern: "log(a^r) → r·log(a) (r not an even integer)") { e in
            guard case .log(.power(let a, .number(let r))) = e else { return nil }
            if r.isInteger, r.numerator % 2 == 0 { return nil }
            return .mul([.number(r), .log(a)])
        },
        SafeFormRule(name: "logsumexp", pattern: "log(Σ_i w_i·exp(b_i)) → logsumexp_i(log(w_i) + b_i)") { e in
            guard case .log(.indexedSum(let i, let from, let to, let body)) = e,
                  let (weights, b) = splitExp(body) else { return nil }
            let shifted: Expr = weights.isEmpty ? b : .add([.log(.mul(weights)), b])
            return .apply("logsumexp", [.indexedSum(index: i, from: from, to: to, body: shifted)])
        },
        SafeFormRule(name: "log1p", pattern: "log(1 + a) → log1p(a)") { e in
            guard case .log(let arg) = e, let a = onePlus(arg) else { return nil }
            return .apply("log1p", [a])
        },
        SafeFormRule(name: "expm1", pattern: "c·exp(a) - c → c·expm1(a)") { e in
            guard case .sum(let terms) = e else { return nil }
            for (i, t) in terms.enumerated() {
                guard let (c, a) = scaledExp(t) else { continue }
                guard let j = terms.firstIndex(where: { $0 == .number(-c) }) else { continue }
                var rest = terms
                rest[i] = .mul([.number(c), .apply("expm1", [a])])
                rest.remove(at: j)
                return .add(rest)
            }
            return nil
        },
        SafeFormRule(name: "square-of-difference", pattern: "c·a² + c·b² - 2c·a·b → c·(a - b)² (also as sums over one range)") { e in
            guard case .sum(let terms) = e else { return nil }
            return foldSquare(terms)
        },
    ]

    /// `a` when `e` is `1 + a` (in the canonical sum order, the literal 1 is last).
    static func onePlus(_ e: Expr) -> Expr? {
        guard case .sum(let terms) = e, terms.last == .number(.one) else { return nil }
        return .add(Array(terms.dropLast()))
    }

    /// (c, a) when `e` is `exp(a)` or `c·exp(a)` with a literal c.
    static func scaledExp(_ e: Expr) -> (Rational, Expr)? {
        if case .exp(let a) = e { return (.one, a) }
        if case .product(let fs) = e, fs.count == 2, case .number(let c) = fs[0], case .exp(let a) = fs[1] {
            return (c, a)
        }
        return nil
    }

    /// (other factors, b) when `e` is a product with exactly one factor `exp(b)`.
    static func splitExp(_ e: Expr) -> ([Expr], Expr)? {
        if case .exp(let b) = e { return ([], b) }
        guard case .product(let fs) = e else { return nil }
        let exps = fs.indices.filter { if case .exp = fs[$0] { return true }; return false }
        guard exps.count == 1, case .exp(let b) = fs[exps[0]] else { return nil }
        var rest = fs
        rest.remove(at: exps[0])
        // A negative literal weight would make the logarithm undefined.
        if case .number(let c) = rest.first, c.numerator < 0 { return nil }
        return (rest, b)
    }

    /// `e` with every rule applied bottom-up to a fixed point, and the names of the rules
    /// that fired, in order.
    public static func apply(_ e: Expr) -> (Expr, [String]) {
        var fired: [String] = []
        let r = rewrite(e, &fired, budget: 10_000)
        return (r, fired)
    }

    static func rewrite(_ e: Expr, _ fired: inout [String], budget: Int) -> Expr {
        let kids = e.children
        var node = kids.isEmpty ? e : e.withChildren(kids.map { rewrite($0, &fired, budget: budget) })
        var steps = 0
        outer: while steps < budget {
            for rule in rules {
                if let r = rule.rewrite(node) {
                    fired.append(rule.name)
                    steps += 1
                    let kids = r.children
                    node = kids.isEmpty ? r : r.withChildren(kids.map { rewrite($0, &fired, budget: budget) })
                    continue outer
                }
            }
            break
        }
        return node
    }
}
