/// A factor of an integrand that is not a density: the log of a density atom, a scalar
/// expression (constants, parameters, per-component arithmetic), or the log of something
/// that is not a product of densities (a mixture, a sum) kept opaque by its canonical key.
public enum LogAtom: Hashable, Comparable, Sendable {
    case density(ComponentAtom)
    case scalar(key: String, expr: Expr, free: [String])
    case opaque(key: String, free: [String])

    var sortKey: String {
        switch self {
        case .density(let a): return "0" + a.description
        case .scalar(let k, _, _): return "1" + k
        case .opaque(let k, _): return "2" + k
        }
    }
    public static func < (a: LogAtom, b: LogAtom) -> Bool { a.sortKey < b.sortKey }
}

/// One product of densities with integer exponents (the measure), times a product of log
/// atoms, integrated over `bound`. Coefficients live in `NormalForm`.
public struct Monomial: Hashable, Comparable, Sendable {
    /// Density atoms with non-zero exponents, sorted.
    public var measure: [ComponentAtom: Int]
    /// Non-density factors of the integrand, sorted (a multiset).
    public var logs: [LogAtom]
    /// Integrated variables, sorted.
    public var bound: [String]

    public init(measure: [ComponentAtom: Int] = [:], logs: [LogAtom] = [], bound: [String] = []) {
        self.measure = measure.filter { $0.value != 0 }
        self.logs = logs.sorted()
        self.bound = Array(Set(bound)).sorted()
    }

    /// The empty monomial: the number one.
    public static let one = Monomial()

    var sortKey: String {
        let m = measure.sorted { $0.key < $1.key }.map { "\($0.key)^\($0.value)" }.joined(separator: "*")
        return "\(bound.joined(separator: ","))|\(m)|\(logs.map(\.sortKey).joined(separator: "*"))"
    }
    public static func < (a: Monomial, b: Monomial) -> Bool { a.sortKey < b.sortKey }
}

/// A canonical linear combination of monomials with exact rational coefficients. Two
/// expressions are proved equal when their normal forms are equal.
public struct NormalForm: Hashable, Sendable {
    public var terms: [Monomial: Rational]

    public init(_ terms: [Monomial: Rational] = [:]) { self.terms = terms.filter { !$0.value.isZero } }
    public static let zero = NormalForm()
    public static func constant(_ r: Rational) -> NormalForm { NormalForm([.one: r]) }

    public var isZero: Bool { terms.isEmpty }

    public static func + (a: NormalForm, b: NormalForm) -> NormalForm {
        var t = a.terms
        for (m, c) in b.terms { t[m, default: .zero] = t[m, default: .zero] + c }
        return NormalForm(t)
    }
    public static func * (r: Rational, a: NormalForm) -> NormalForm {
        NormalForm(a.terms.mapValues { $0 * r })
    }
    public static prefix func - (a: NormalForm) -> NormalForm { Rational(-1) * a }
    public static func - (a: NormalForm, b: NormalForm) -> NormalForm { a + (-b) }

    /// Terms sorted for printing and stable iteration.
    public var sortedTerms: [(Monomial, Rational)] { terms.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
