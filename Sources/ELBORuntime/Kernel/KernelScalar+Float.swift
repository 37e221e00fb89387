import Foundation

// Eight-lane exp and log for Float, so that generated loops over components vectorise: the
// C library's expf/logf are scalar calls the optimiser cannot widen. The polynomials are
// Cephes' (as in sse_mathfun), within about 1e-7 relative on their ranges. Edge cases
// (overflow, zero, negative, NaN) are fixed with lane selects, not branches.
//
// Written against the concrete SIMD8<Float>: the generic SIMD operators (over any
// FloatingPoint scalar) compile to lane-by-lane code that is 20–50× slower.

extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    var bits: SIMD8<Int32> { unsafeBitCast(self, to: SIMD8<Int32>.self) }

    @inlinable @inline(__always)
    init(bits: SIMD8<Int32>) { self = unsafeBitCast(bits, to: SIMD8<Float>.self) }
}

extension Float {
    @inlinable @inline(__always)
    public static func kernelExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lo: Float = -87.33654, hi: Float = 88.72283
        var v = x.replacing(with: lo, where: x .< lo)
        v = v.replacing(with: hi, where: v .> hi)
        // Adding 1.5·2²³ rounds to an integer; capped at 127 so that 2ⁿ stays finite
        // (the reduced argument is then slightly wider just below overflow).
        let magic: Float = 12_582_912
        var n = (v * 1.442_695_04 + magic) - magic
        n = n.replacing(with: 127, where: n .> 127)
        let k = (n + magic).bits &- SIMD8<Float>(repeating: magic).bits
        let r = v - n * 0.693_359_375 + n * 2.121_944_4e-4
        let z = r * r
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * z + r + 1
        var result = p * SIMD8<Float>(bits: (k &+ 127) &<< 23)
        result = result.replacing(with: .infinity, where: x .> hi)
        result = result.replacing(with: 0, where: x .< lo)
        return result.replacing(with: x, where: x .!= x)
    }

    @inlinable @inline(__always)
    public static func kernelLog(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let v = x.replacing(with: .leastNormalMagnitude, where: x .< .leastNormalMagnitude)
        let bits = v.bits
        // v = m · 2^e with m in [0.5, 1), then m in [√½, √2) − 1 = f.
        var e = SIMD8<Float>((bits &>> 23) &- 126)
        let m = SIMD8<Float>(bits: (bits & 0x007F_FFFF) | 0x3F00_0000)
        let small = m .< 0.707_106_781_186_547_524
        var f = m - 1
        f = f.replacing(with: f + m, where: small)
        e = e.replacing(with: e - 1, where: small)
        let z = f * f
        var p = SIMD8<Float>(repeating: 7.037_683_629_2e-2)
        p = p * f - 1.151_461_031_0e-1
        p = p * f + 1.167_699_874_0e-1
        p = p * f - 1.242_014_084_6e-1
        p = p * f + 1.424_932_278_7e-1
        p = p * f - 1.666_805_766_5e-1
        p = p * f + 2.000_071_476_5e-1
        p = p * f - 2.499_999_399_3e-1
        p = p * f + 3.333_333_117_4e-1
        var y = p * f * z
        y += e * -2.121_944_40e-4
        y += z * -0.5
        var result = f + y + e * 0.693_359_375
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .nan, where: x .< 0)
        result = result.replacing(with: .infinity, where: x .== .infinity)
        return result.replacing(with: x, where: x .!= x)
    }

    /// log(1 + u) = log(w) · u / (w − 1) with w = 1 + u rounded: the quotient corrects the
    /// rounding of w (Goldberg), so tiny u keep full relative precision.
    @inlinable @inline(__always)
    public static func kernelLog1p(_ u: SIMD8<Float>) -> SIMD8<Float> {
        let w = 1 + u
        let d = w - 1
        let lw = kernelLog(w)
        var result = lw * (u / d)
        result = result.replacing(with: u, where: d .== 0)
        return result.replacing(with: lw, where: u .> 1e30)
    }

    /// expm1(a) = (w − 1) · a / log(w) with w = eᵃ rounded (Kahan).
    @inlinable @inline(__always)
    public static func kernelExpm1(_ a: SIMD8<Float>) -> SIMD8<Float> {
        let w = kernelExp(a)
        let d = w - 1
        var result = d * (a / kernelLog(w))
        result = result.replacing(with: a, where: d .== 0)
        result = result.replacing(with: w, where: a .> 80)
        return result.replacing(with: -1, where: a .< -20)
    }

    /// log(1 + e) for 0 ≤ e ≤ 1 (the e^−|a| of a softplus): 2·atanh(e / (2 + e)) as an odd
    /// series in s = e/(2 + e) ≤ 1/3, exact to about 1e-7 relative and cheaper than a log.
    @inlinable @inline(__always)
    public static func kernelLog1pUnit(_ e: SIMD8<Float>) -> SIMD8<Float> {
        let s = e / (2 + e)
        let z = s * s
        var p = SIMD8<Float>(repeating: 1.0 / 15)
        p = p * z + 1.0 / 13
        p = p * z + 1.0 / 11
        p = p * z + 1.0 / 9
        p = p * z + 1.0 / 7
        p = p * z + 1.0 / 5
        p = p * z + 1.0 / 3
        p = p * z + 1
        return 2 * s * p
    }

    /// √x from the bit-level estimate of 1/√x and three Newton steps (the SIMD
    /// `squareRoot()` of the standard library goes lane by lane).
    @inlinable @inline(__always)
    public static func kernelSqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var y = SIMD8<Float>(bits: SIMD8<Int32>(repeating: 0x5F37_5A86) &- (x.bits &>> 1))
        let h = 0.5 * x
        y = y * (1.5 - h * y * y)
        y = y * (1.5 - h * y * y)
        y = y * (1.5 - h * y * y)
        var r = x * y
        r = r.replacing(with: x, where: x .== 0)
        r = r.replacing(with: x, where: x .== .infinity)
        return r.replacing(with: .nan, where: x .< 0)
    }

    @inlinable @inline(__always)
    public static func kernelExp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable @inline(__always)
    public static func kernelLog(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable @inline(__always)
    public static func kernelLog1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inlinable @inline(__always)
    public static func kernelExpm1(_ x: Float) -> Float { Foundation.expm1(x) }
    @inlinable @inline(__always)
    public static func kernelPow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

// Double is for gradient tests, where accuracy matters and speed does not: every lane goes
// through the C library.

extension Double {
    @inlinable @inline(__always)
    static func lanes(_ x: SIMD8<Double>, _ f: (Double) -> Double) -> SIMD8<Double> {
        var r = x
        for i in 0..<8 { r[i] = f(x[i]) }
        return r
    }

    @inlinable public static func kernelExp(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x) { Foundation.exp($0) } }
    @inlinable public static func kernelLog(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x) { Foundation.log($0) } }
    @inlinable public static func kernelLog1p(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x) { Foundation.log1p($0) } }
    @inlinable public static func kernelExpm1(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x) { Foundation.expm1($0) } }
    @inlinable public static func kernelExp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func kernelLog(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func kernelLog1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func kernelExpm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inlinable public static func kernelPow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
