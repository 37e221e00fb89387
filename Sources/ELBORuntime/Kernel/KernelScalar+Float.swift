import Foundation

// Eight-lane exp and log for Float, so that generated loops over components vectorise: the
// C library's expf/logf are scalar calls the optimiser cannot widen. The polynomials are
// Cephes' (as in sse_mathfun), about 1 ulp on their ranges; edge cases (overflow, zero,
// negative, NaN) are fixed up with selects at the end rather than branches.

extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    var bits: SIMD8<Int32> { unsafeBitCast(self, to: SIMD8<Int32>.self) }
}

extension Float {
    @inlinable @inline(__always)
    public static func kernelExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let v = x.clamped(lowerBound: SIMD8(repeating: -87.33654), upperBound: SIMD8(repeating: 88.72283))
        // Adding 1.5·2²³ rounds v·log₂e to an integer held in the low mantissa bits.
        let magic: Float = 12_582_912
        let t = v * 1.442_695_04 + magic
        var n = t - magic
        var k = t.bits &- SIMD8<Int32>(repeating: magic.bitPattern.toInt32)
        // n = 128 only just below overflow; use 127 and a slightly wider reduced argument.
        let top = k .> 127
        k.replace(with: 127, where: top)
        n.replace(with: 127, where: top)
        let r = v - n * 0.693_359_375 + n * 2.121_944_4e-4
        let z = r * r
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * z + r + 1
        let scale = unsafeBitCast((k &+ 127) &<< 23, to: SIMD8<Float>.self)
        var result = p * scale
        result.replace(with: .infinity, where: x .> 88.72283)
        result.replace(with: 0, where: x .< -87.33654)
        result.replace(with: x, where: x .!= x)
        return result
    }

    @inlinable @inline(__always)
    public static func kernelLog(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let v = x.replacing(with: .leastNormalMagnitude, where: x .< .leastNormalMagnitude)
        let bits = v.bits
        // v = m · 2^e with m in [0.5, 1).
        var e = SIMD8<Float>((bits &>> 23) &- 126)
        let m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: SIMD8<Float>.self)
        let small = m .< 0.707_106_781_186_547_524
        var f = m - 1
        f.replace(with: f + m, where: small)
        e.replace(with: e - 1, where: small)
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
        result.replace(with: -.infinity, where: x .== 0)
        result.replace(with: .nan, where: x .< 0)
        result.replace(with: .infinity, where: x .== .infinity)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// log(1 + u) = log(w) · u / (w − 1) with w = 1 + u rounded: the quotient corrects the
    /// rounding of w (Goldberg), so tiny u keep full relative precision.
    @inlinable @inline(__always)
    public static func kernelLog1p(_ u: SIMD8<Float>) -> SIMD8<Float> {
        let w = 1 + u
        let d = w - 1
        var result = kernelLog(w) * (u / d)
        result.replace(with: u, where: d .== 0)
        result.replace(with: kernelLog(w), where: u .> 1e30)
        return result
    }

    /// expm1(a) = (w − 1) · a / log(w) with w = eᵃ rounded (Kahan).
    @inlinable @inline(__always)
    public static func kernelExpm1(_ a: SIMD8<Float>) -> SIMD8<Float> {
        let w = kernelExp(a)
        let d = w - 1
        var result = d * (a / kernelLog(w))
        result.replace(with: a, where: d .== 0)
        result.replace(with: w, where: a .> 80)
        result.replace(with: -1, where: a .< -20)
        return result
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

extension UInt32 {
    @inlinable @inline(__always)
    var toInt32: Int32 { Int32(bitPattern: self) }
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
