/// Exact evaluation of the purely numeric parts of an expression.
extension Expr {
    /// This expression with every numeric sub-term computed exactly: a sum's, a product's
    /// numeric parts are combined into one number and an integer power of a number is
    /// expanded, within the limits of `Rational.power`. Nothing else changes: no rewrite rule
    /// is used, so the floating-point witness can take the result and stay independent of the
    /// symbolic engine, while `log p(x) + 10^1000 − 10^1000` no longer overflows it.
    public var withExactNumbers: Expr {
        let folded = withChildren(children.map(\.withExactNumbers))
        switch folded {
        case .sum(let parts):
            var total = Rational.zero
            var rest: [Expr] = []
            for p in parts { if case .number(let r) = p { total = total + r } else { rest.append(p) } }
            if rest.isEmpty { return .number(total) }
            if parts.count - rest.count < 1 { return folded }
            return .sum(total.isZero ? rest : rest + [.number(total)]).flattenedSingle
        case .product(let parts):
            var total = Rational.one
            var rest: [Expr] = []
            for p in parts { if case .number(let r) = p { total = total * r } else { rest.append(p) } }
            if rest.isEmpty { return .number(total) }
            if parts.count - rest.count < 1 { return folded }
            return .product(total == .one ? rest : [.number(total)] + rest).flattenedSingle
        case .power(.number(let b), .number(let n)) where n.isInteger:
            if let v = try? b.power(n) { return .number(v) }
            return folded
        default:
            return folded
        }
    }

    /// A one-part sum or product as that part.
    private var flattenedSingle: Expr {
        switch self {
        case .sum(let p) where p.count == 1, .product(let p) where p.count == 1: return p[0]
        default: return self
        }
    }
}
