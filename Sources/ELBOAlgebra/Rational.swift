/// An exact rational number with a normalised sign and lowest terms, over `BigInt`.
///
/// Coefficients in canonical forms must compare exactly (0.1 + 0.2 must equal 0.3 when the
/// spec writes decimals), so the algebra never stores coefficients as floating point, and no
/// operation can overflow. What grows without bound is refused before it is computed: a
/// power whose result would exceed `Rational.maximumBits` is not expanded (see
/// `Rational.power(_:)`), and callers turn that into an `unsupported` step that states the limit.
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Numerator; carries the sign.
    public let numerator: BigInt
    /// Denominator; always positive.
    public let denominator: BigInt

    /// The most bits a numerator or denominator produced by a power may have (about 20,000
    /// decimal digits): `10^1000` is exact, `2^(2^20)` is refused.
    public static let maximumBits = 65_536

    /// Creates `n / d` in lowest terms. `d` must not be zero (callers check).
    public init(_ n: Int, _ d: Int = 1) { self.init(BigInt(n), BigInt(d)) }

    /// Creates `n / d` in lowest terms. `d` must not be zero (callers check).
    public init(_ n: BigInt, _ d: BigInt) {
        precondition(!d.isZero, "zero denominator")
        if d == .one { numerator = n; denominator = d; return }
        let g = BigInt.gcd(n, d)
        let s = d.isNegative ? BigInt(-1) : .one
        numerator = g == .one ? s * n : s * n / g
        denominator = g == .one ? s * d : s * d / g
    }

    /// Parses a decimal literal such as `12`, `0.5` or `1e-3` exactly; nil when it is not one
    /// or its exponent is beyond ±`maximumExponent`.
    public init?(decimal text: String) {
        var mantissa = text.lowercased()
        var exponent = 0
        if let e = mantissa.firstIndex(of: "e") {
            let ex = String(mantissa[mantissa.index(after: e)...])
            guard let value = Int(ex.hasPrefix("+") ? String(ex.dropFirst()) : ex),
                  abs(value) <= Rational.maximumExponent else { return nil }
            exponent = value
            mantissa = String(mantissa[..<e])
        }
        var digits = mantissa
        if let dot = mantissa.firstIndex(of: ".") {
            let frac = mantissa[mantissa.index(after: dot)...]
            exponent -= frac.count
            digits = String(mantissa[..<dot]) + frac
        }
        guard let n = BigInt(decimal: digits), abs(exponent) <= Rational.maximumExponent + 1000 else { return nil }
        let scale = BigInt(10).power(abs(exponent))
        self = exponent >= 0 ? Rational(n * scale, .one) : Rational(n, scale)
    }

    /// The largest decimal exponent a literal may have (`1e4000` is refused).
    public static let maximumExponent = 4_000

    public static let zero = Rational(0)
    public static let one = Rational(1)
    public static let half = Rational(1, 2)

    /// Whether the value is an integer.
    public var isInteger: Bool { denominator == .one }
    /// The value as an `Int` when it is an integer that fits.
    public var intValue: Int? { isInteger ? numerator.intValue : nil }
    /// The value as a Double (±infinity or 0 beyond its range).
    public var doubleValue: Double {
        if let n = numerator.intValue, let d = denominator.intValue { return Double(n) / Double(d) }
        let (nt, ns) = numerator.absoluteValue.topBits, (dt, ds) = denominator.topBits
        let v = (Double(nt) / Double(dt)) * Double(sign: .plus, exponent: ns - ds, significand: 1)
        return numerator.isNegative ? -v : v
    }
    public var isZero: Bool { numerator.isZero }
    /// The larger bit width of numerator and denominator.
    public var bitWidth: Int { Swift.max(numerator.bitWidth, denominator.bitWidth) }

    public var description: String {
        denominator == .one ? "\(numerator)" : "\(numerator)/\(denominator)"
    }

    public static func + (a: Rational, b: Rational) -> Rational {
        if a.denominator == b.denominator {
            return Rational(a.numerator + b.numerator, a.denominator)
        }
        return Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }
    public static func - (a: Rational, b: Rational) -> Rational { a + (-b) }
    public static prefix func - (a: Rational) -> Rational { Rational(-a.numerator, a.denominator) }
    public static func * (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.numerator, a.denominator * b.denominator)
    }
    /// `a / b`; `b` must not be zero (callers check: a zero divisor is an undefined term).
    public static func / (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator, a.denominator * b.numerator)
    }
    public static func < (a: Rational, b: Rational) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }

    /// Why an exact power is not computed.
    public enum PowerError: Error, CustomStringConvertible, Sendable {
        /// The result would exceed `Rational.maximumBits`.
        case tooLarge(base: Rational, exponent: Rational)
        /// `0^n` for n < 0.
        case divisionByZero

        public var description: String {
            switch self {
            case .tooLarge(let b, let e):
                return "\(b)^\(e) is too large to compute exactly (exact numbers have at most \(Rational.maximumBits) bits)"
            case .divisionByZero:
                return "0 raised to a negative power is undefined (division by zero)"
            }
        }
    }

    /// `self^n` for an integer `n`, exactly, or why not.
    public func power(_ n: Rational) throws(PowerError) -> Rational {
        precondition(n.isInteger)
        if self == .one || (n.isZero) { return .one }
        if isZero {
            if n.numerator.isNegative { throw .divisionByZero }
            return .zero
        }
        if self == Rational(-1) { return n.numerator % BigInt(2) == .zero ? .one : self }
        guard let k = n.numerator.intValue, k.magnitude <= UInt(Rational.maximumBits),
              bitWidth * Int(k.magnitude) <= Rational.maximumBits + bitWidth else {
            throw .tooLarge(base: self, exponent: n)
        }
        let p = Rational(numerator.power(Int(k.magnitude)), denominator.power(Int(k.magnitude)))
        return k >= 0 ? p : Rational.one / p
    }
}
