/// An exact rational number with a normalised sign and lowest terms.
///
/// Coefficients in canonical forms must compare exactly (0.1 + 0.2 must equal 0.3 when the
/// spec writes decimals), so the algebra never stores coefficients as floating point.
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Numerator; carries the sign.
    public let numerator: Int
    /// Denominator; always positive.
    public let denominator: Int

    /// Creates `n / d` in lowest terms. `d` must not be zero.
    public init(_ n: Int, _ d: Int = 1) {
        precondition(d != 0, "zero denominator")
        let g = Rational.gcd(abs(n), abs(d))
        let s = d < 0 ? -1 : 1
        numerator = s * n / Swift.max(g, 1)
        denominator = s * d / Swift.max(g, 1)
    }

    /// Parses a decimal literal such as `12`, `0.5` or `1e-3` exactly.
    public init?(decimal text: String) {
        var mantissa = text.lowercased()
        var exponent = 0
        if let e = mantissa.firstIndex(of: "e") {
            guard let ex = Int(mantissa[mantissa.index(after: e)...]) else { return nil }
            exponent = ex
            mantissa = String(mantissa[..<e])
        }
        var digits = mantissa
        if let dot = mantissa.firstIndex(of: ".") {
            let frac = mantissa[mantissa.index(after: dot)...]
            exponent -= frac.count
            digits = String(mantissa[..<dot]) + frac
        }
        guard !digits.isEmpty, digits.count < 18, let n = Int(digits) else { return nil }
        if exponent >= 0 {
            guard exponent < 18 else { return nil }
            var p = 1
            for _ in 0..<exponent { p *= 10 }
            self.init(n * p)
        } else {
            guard -exponent < 18 else { return nil }
            var p = 1
            for _ in 0..<(-exponent) { p *= 10 }
            self.init(n, p)
        }
    }

    public static let zero = Rational(0)
    public static let one = Rational(1)
    public static let half = Rational(1, 2)

    /// Whether the value is an integer.
    public var isInteger: Bool { denominator == 1 }
    /// The value as a Double.
    public var doubleValue: Double { Double(numerator) / Double(denominator) }
    public var isZero: Bool { numerator == 0 }

    public var description: String {
        denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    public static func + (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }
    public static func - (a: Rational, b: Rational) -> Rational { a + (-b) }
    public static prefix func - (a: Rational) -> Rational { Rational(-a.numerator, a.denominator) }
    public static func * (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.numerator, a.denominator * b.denominator)
    }
    public static func / (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator, a.denominator * b.numerator)
    }
    public static func < (a: Rational, b: Rational) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }
}
