/// Smart constructors that flatten nested sums and products and fold literal arithmetic.
/// Parsers and rewriters build terms only through these, so that structurally equal
/// expressions have one representation.
extension Expr {
    /// `a + b + …`, flattened; literals are folded into one trailing number.
    public static func add(_ terms: [Expr]) -> Expr {
        var flat: [Expr] = []
        var constant = Rational.zero
        for t in terms {
            switch t {
            case .sum(let inner): for i in inner { if case .number(let r) = i { constant = constant + r } else { flat.append(i) } }
            case .number(let r): constant = constant + r
            default: flat.append(t)
            }
        }
        if !constant.isZero { flat.append(.number(constant)) }
        if flat.isEmpty { return .number(.zero) }
        return flat.count == 1 ? flat[0] : .sum(flat)
    }

    /// `a · b · …`, flattened; literals are folded into one leading number; a zero literal
    /// makes the whole product zero.
    public static func mul(_ factors: [Expr]) -> Expr {
        var flat: [Expr] = []
        var constant = Rational.one
        for f in factors {
            switch f {
            case .product(let inner): for i in inner { if case .number(let r) = i { constant = constant * r } else { flat.append(i) } }
            case .number(let r): constant = constant * r
            default: flat.append(f)
            }
        }
        if constant.isZero { return .number(.zero) }
        if flat.isEmpty { return .number(constant) }
        if constant != .one { flat.insert(.number(constant), at: 0) }
        return flat.count == 1 ? flat[0] : .product(flat)
    }

    /// `-a`.
    public static func negate(_ a: Expr) -> Expr { mul([.number(Rational(-1)), a]) }
    /// `a - b`.
    public static func subtract(_ a: Expr, _ b: Expr) -> Expr { add([a, negate(b)]) }
    /// `a / b`.
    public static func divide(_ a: Expr, _ b: Expr) -> Expr { mul([a, .power(b, .number(Rational(-1)))]) }
    /// `sqrt(a)`.
    public static func squareRoot(_ a: Expr) -> Expr { .power(a, .number(.half)) }
    /// An integer literal.
    public static func int(_ n: Int) -> Expr { .number(Rational(n)) }
}
