/// The functions generated kernels call, for one scalar (`T`) or eight lanes (`SIMD8<T>`).
///
/// Safe forms are written so that no intermediate overflows: `softplus`, `sigmoid` and
/// `logsigmoid` only ever exponentiate −|a|. Generated code usually calls the pieces
/// (`exp`, `log1p`, `ifNonNegative`) itself, so that one e^−|a| serves both a softplus in the
/// loss and the sigmoid of its gradient.
public enum KernelMath {
    public typealias V<T: KernelScalar> = SIMD8<T>

    // MARK: Transcendentals

    @inlinable @inline(__always) public static func exp<T: KernelScalar>(_ x: T) -> T { T.kernelExp(x) }
    @inlinable @inline(__always) public static func exp<T: KernelScalar>(_ x: V<T>) -> V<T> { T.kernelExp(x) }
    @inlinable @inline(__always) public static func log<T: KernelScalar>(_ x: T) -> T { T.kernelLog(x) }
    @inlinable @inline(__always) public static func log<T: KernelScalar>(_ x: V<T>) -> V<T> { T.kernelLog(x) }
    @inlinable @inline(__always) public static func log1p<T: KernelScalar>(_ x: T) -> T { T.kernelLog1p(x) }
    @inlinable @inline(__always) public static func log1p<T: KernelScalar>(_ x: V<T>) -> V<T> { T.kernelLog1p(x) }
    @inlinable @inline(__always) public static func expm1<T: KernelScalar>(_ x: T) -> T { T.kernelExpm1(x) }
    @inlinable @inline(__always) public static func expm1<T: KernelScalar>(_ x: V<T>) -> V<T> { T.kernelExpm1(x) }
    /// log(1 + x) for 0 ≤ x ≤ 1, the range of e^−|a| in an expanded softplus (the Float
    /// eight-lane version has a cheaper polynomial; the rest use log1p).
    @inlinable @inline(__always) public static func log1pUnit<T: KernelScalar>(_ x: T) -> T { T.kernelLog1p(x) }
    @inlinable @inline(__always) public static func log1pUnit<T: KernelScalar>(_ x: V<T>) -> V<T> { T.kernelLog1p(x) }
    @inlinable @inline(__always) public static func sqrt<T: KernelScalar>(_ x: T) -> T { x.squareRoot() }
    @inlinable @inline(__always) public static func sqrt<T: KernelScalar>(_ x: V<T>) -> V<T> { x.squareRoot() }

    /// xʸ for x > 0 and a real exponent.
    @inlinable @inline(__always) public static func pow<T: KernelScalar>(_ x: T, _ y: T) -> T { T.kernelPow(x, y) }
    @inlinable @inline(__always) public static func pow<T: KernelScalar>(_ x: V<T>, _ y: T) -> V<T> {
        T.kernelExp(y * T.kernelLog(x))
    }

    /// xⁿ for an integer n, by repeated squaring.
    @inlinable @inline(__always) public static func pow<T: KernelScalar>(_ x: T, _ n: Int) -> T {
        var (result, base, e) = (T(1), x, n.magnitude)
        while e > 0 { if e & 1 == 1 { result *= base }; base *= base; e >>= 1 }
        return n < 0 ? 1 / result : result
    }
    @inlinable @inline(__always) public static func pow<T: KernelScalar>(_ x: V<T>, _ n: Int) -> V<T> {
        var (result, base, e) = (V<T>(repeating: 1), x, n.magnitude)
        while e > 0 { if e & 1 == 1 { result *= base }; base *= base; e >>= 1 }
        return n < 0 ? 1 / result : result
    }

    // MARK: Safe forms

    /// log(1 + eᵃ) = max(a, 0) + log1p(e^−|a|).
    @inlinable @inline(__always) public static func softplus<T: KernelScalar>(_ a: T) -> T {
        relu(a) + log1p(exp(-Swift.abs(a)))
    }
    @inlinable @inline(__always) public static func softplus<T: KernelScalar>(_ a: V<T>) -> V<T> {
        relu(a) + log1p(exp(-abs(a)))
    }
    /// 1 / (1 + e^−a).
    @inlinable @inline(__always) public static func sigmoid<T: KernelScalar>(_ a: T) -> T {
        let e = exp(-Swift.abs(a))
        return (a >= 0 ? 1 : e) / (1 + e)
    }
    @inlinable @inline(__always) public static func sigmoid<T: KernelScalar>(_ a: V<T>) -> V<T> {
        let e = exp(-abs(a))
        return V<T>(repeating: 1).replacing(with: e, where: a .< 0) / (1 + e)
    }
    /// log σ(a) = min(a, 0) − log1p(e^−|a|).
    @inlinable @inline(__always) public static func logsigmoid<T: KernelScalar>(_ a: T) -> T {
        Swift.min(a, 0) - log1p(exp(-Swift.abs(a)))
    }
    @inlinable @inline(__always) public static func logsigmoid<T: KernelScalar>(_ a: V<T>) -> V<T> {
        a.replacing(with: 0, where: a .> 0) - log1p(exp(-abs(a)))
    }

    // MARK: Reductions

    /// The sum of the eight lanes (of a vectorised loop's accumulator).
    @inlinable @inline(__always) public static func sum<T: KernelScalar>(_ x: V<T>) -> T { x.sum() }

    // MARK: Piecewise pieces

    /// e^−|x|, the piece that expanded safe forms share.
    @inlinable @inline(__always) public static func expNegAbs<T: KernelScalar>(_ x: T) -> T { T.kernelExp(-Swift.abs(x)) }
    @inlinable @inline(__always) public static func expNegAbs<T: KernelScalar>(_ x: V<T>) -> V<T> {
        T.kernelExp(-abs(x))
    }

    @inlinable @inline(__always) public static func abs<T: KernelScalar>(_ x: T) -> T { Swift.abs(x) }
    @inlinable @inline(__always) public static func abs<T: KernelScalar>(_ x: V<T>) -> V<T> {
        x.replacing(with: -x, where: x .< 0)
    }
    /// max(x, 0).
    @inlinable @inline(__always) public static func relu<T: KernelScalar>(_ x: T) -> T { x > 0 ? x : 0 }
    @inlinable @inline(__always) public static func relu<T: KernelScalar>(_ x: V<T>) -> V<T> {
        x.replacing(with: 0, where: x .< 0)
    }

    /// `c ≥ 0 ? a : b`, lane by lane; any argument may be a scalar.
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: T, _ a: T, _ b: T) -> T {
        c >= 0 ? a : b
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: V<T>, _ a: V<T>, _ b: V<T>) -> V<T> {
        a.replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: V<T>, _ a: T, _ b: V<T>) -> V<T> {
        V<T>(repeating: a).replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: V<T>, _ a: V<T>, _ b: T) -> V<T> {
        a.replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: V<T>, _ a: T, _ b: T) -> V<T> {
        V<T>(repeating: a).replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: T, _ a: V<T>, _ b: V<T>) -> V<T> {
        c >= 0 ? a : b
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: T, _ a: T, _ b: V<T>) -> V<T> {
        c >= 0 ? V<T>(repeating: a) : b
    }
    @inlinable @inline(__always) public static func ifNonNegative<T: KernelScalar>(_ c: T, _ a: V<T>, _ b: T) -> V<T> {
        c >= 0 ? a : V<T>(repeating: b)
    }
}

/// A running log Σ exp(xᵢ) that never exponentiates a positive number: it keeps the maximum
/// so far and the sum of exp(x − maximum), per lane for eight-lane terms and once for scalar
/// terms.
public struct KernelLogSumExp<T: KernelScalar> {
    @usableFromInline var maxima: SIMD8<T>
    @usableFromInline var sums: SIMD8<T>
    @usableFromInline var maximum: T
    @usableFromInline var sum: T

    /// The empty sum (its value is −∞).
    @inlinable @inline(__always)
    public init() {
        maxima = SIMD8(repeating: -T.greatestFiniteMagnitude)
        sums = SIMD8()
        maximum = -T.greatestFiniteMagnitude
        sum = 0
    }

    /// Adds one term.
    @inlinable @inline(__always)
    public mutating func add(_ x: T) {
        let m = Swift.max(maximum, x)
        sum = sum * T.kernelExp(maximum - m) + T.kernelExp(x - m)
        maximum = m
    }

    /// Adds up to eight terms: the active lanes of `x`.
    @inlinable @inline(__always)
    public mutating func add(_ x: SIMD8<T>, _ lanes: KernelLanes<T>) {
        for l in 0..<lanes.active { add(x[l]) }
    }

    /// Adds a term that is the same in every active lane.
    @inlinable @inline(__always)
    public mutating func add(_ x: T, _ lanes: KernelLanes<T>) {
        for _ in 0..<lanes.active { add(x) }
    }

    /// log Σ exp of every term added.
    @inlinable
    public var value: T {
        var m = maximum
        for l in 0..<8 { m = Swift.max(m, maxima[l]) }
        if m == -T.greatestFiniteMagnitude { return -T.infinity }
        if m == T.infinity { return T.infinity }
        var total = sum * T.kernelExp(maximum - m)
        for l in 0..<8 { total += sums[l] * T.kernelExp(maxima[l] - m) }
        return m + T.kernelLog(total)
    }
}

extension KernelLogSumExp where T == Float {
    /// Adds up to eight terms in one step of eight lanes.
    @inlinable @inline(__always)
    public mutating func add(_ x: SIMD8<Float>, _ lanes: KernelLanes<Float>) {
        let v = lanes.isFull ? x : x.replacing(with: -.infinity, where: .!lanes.mask)
        let m = maxima.replacing(with: v, where: v .> maxima)
        sums = sums * Float.kernelExp(maxima - m) + Float.kernelExp(v - m)
        maxima = m
    }
}
