import Foundation

// Eight-lane exp and log for Float, so that generated loops over components vectorise: the
// C library's expf/logf are scalar calls the optimiser cannot widen. The exp and log
// polynomials are Cephes' (as in sse_mathfun), within about 1e-7 relative on their ranges;
// log1pUnit's is a fit of its own (see there). All are evaluated with fused multiply-adds
// where the build has them. Edge cases (overflow, zero, negative, NaN)
// come out of the arithmetic (exp) or are fixed with lane selects (log), never branches.
//
// Written against the concrete SIMD8<Float>: the generic SIMD operators (over any
// FloatingPoint scalar) compile to lane-by-lane code that is 20–50× slower.

extension SIMD8 where Scalar == Float {
    @inlinable @inline(always)
    var bits: SIMD8<Int32> { unsafeBitCast(self, to: SIMD8<Int32>.self) }

    @inlinable @inline(always)
    init(bits: SIMD8<Int32>) { self = unsafeBitCast(bits, to: SIMD8<Float>.self) }
}

extension SIMD8 where Scalar == Float {
    /// `self + a · b`, as one fused instruction in builds that declare FMA hardware (see
    /// GEMMMicroKernel.swift: without it `addingProduct` is a library call per lane).
    @inlinable @inline(always)
    func plus(_ a: SIMD8<Float>, times b: SIMD8<Float>) -> SIMD8<Float> {
        #if ELBO_FMA || arch(arm64)
        return addingProduct(a, b)
        #else
        return self + a * b
        #endif
    }

    /// `c + self · b`.
    @inlinable @inline(always)
    func times(_ b: SIMD8<Float>, plus c: Float) -> SIMD8<Float> {
        SIMD8<Float>(repeating: c).plus(self, times: b)
    }

    /// c₀ + c₁x + … + c₅x⁵ at x = `self`, given x², by Estrin's scheme: pairs first, then
    /// pairs of pairs. Its dependency chain is three multiply-adds long where Horner's rule
    /// needs five, and the kernels' loops are bound by that latency, not by throughput.
    @inlinable @inline(always)
    func polynomial(squared x2: SIMD8<Float>, _ c0: Float, _ c1: Float, _ c2: Float, _ c3: Float,
                    _ c4: Float, _ c5: Float) -> SIMD8<Float> {
        let x4 = x2 * x2
        let p01 = times(SIMD8(repeating: c1), plus: c0)
        let p23 = times(SIMD8(repeating: c3), plus: c2)
        let p45 = times(SIMD8(repeating: c5), plus: c4)
        return p01.plus(p23, times: x2).plus(p45, times: x4)
    }

    /// c₀ + c₁x + … + c₈x⁸ at x = `self`, given x², by Estrin's scheme (chain of four
    /// multiply-adds instead of eight). It forms x⁸: give it a floored square (see
    /// `flooredSquare`) where x can be tiny.
    @inlinable @inline(always)
    func polynomial(squared x2: SIMD8<Float>, _ c0: Float, _ c1: Float, _ c2: Float, _ c3: Float,
                    _ c4: Float, _ c5: Float, _ c6: Float, _ c7: Float, _ c8: Float) -> SIMD8<Float> {
        let x4 = x2 * x2
        let p01 = times(SIMD8(repeating: c1), plus: c0)
        let p23 = times(SIMD8(repeating: c3), plus: c2)
        let p45 = times(SIMD8(repeating: c5), plus: c4)
        let p67 = times(SIMD8(repeating: c7), plus: c6)
        let p03 = p01.plus(p23, times: x2)
        let p47 = p45.plus(p67, times: x2)
        return p03.plus(p47, times: x4).plus(SIMD8(repeating: c8), times: x4 * x4)
    }

    /// x² for Estrin's higher powers, for x ≥ 0, from x floored at 2⁻¹⁵ so that x⁸ stays
    /// in the normal range: a subnormal product costs a microcode assist (the softplus loop
    /// ran 2× slower on saturated logits). The floor only acts where the terms beyond
    /// c₀ + c₁x are below Float resolution anyway (x < 2⁻¹⁵ with c₀ of order one, as in every
    /// use here).
    @inlinable @inline(always)
    var flooredSquare: SIMD8<Float> {
        let floored = replacing(with: 0x1p-15, where: self .< 0x1p-15)
        return floored * floored
    }
}

extension Float {
    /// eˣ without branches or fix-ups: x is clamped to [−88, 89] first (a NaN passes
    /// through the compare and stays NaN), and the clamped range is chosen so that the
    /// arithmetic itself gives the edge values: below about −87.7 the exponent n is −127, whose
    /// 2ⁿ bit pattern is +0, so the result is exactly 0; at 89 the result exceeds the largest
    /// Float and rounds to +∞.
    @inlinable @inline(always)
    public static func kernelExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var v = x.replacing(with: -88, where: x .< -88)
        v = v.replacing(with: 89, where: v .> 89)
        // n = v / ln 2 rounded; capped at 127 so that 2ⁿ stays finite (the reduced argument is
        // then slightly wider just below overflow).
        let n = roundedOverLn2(v)
        return exponential(v, n.replacing(with: 127, where: n .> 127))
    }

    /// e^−|x|, the piece expanded safe forms share: the argument is never positive, so only
    /// a lower clamp is needed, and −|x| is one bitwise or. The clamp is at −87.3, so the
    /// result is never below e^−87.3 ≈ 1.2e-38, the smallest normal Float: an absolute error
    /// under 1.2e-38 for |x| > 87.3 (where the softplus, sigmoid and log-sigmoid built from it
    /// are exact anyway), which keeps every later operation off the slow subnormal path.
    @inlinable @inline(always)
    public static func kernelExpNegAbs(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var v = SIMD8<Float>(bits: x.bits | Int32(bitPattern: 0x8000_0000))
        v = v.replacing(with: -87.3, where: v .< -87.3)
        return exponential(v, roundedOverLn2(v))
    }

    /// v / ln 2 rounded to an integer: adding 1.5·2²³ rounds.
    @inlinable @inline(always)
    static func roundedOverLn2(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let magic: Float = 12_582_912
        return v.times(SIMD8(repeating: 1.442_695_04), plus: magic) - magic
    }

    /// eᵛ = 2ⁿ · e^(v − n ln 2) for n = `roundedOverLn2(v)` in −127…127 (−127 gives 0).
    @inlinable @inline(always)
    static func exponential(_ v: SIMD8<Float>, _ n: SIMD8<Float>) -> SIMD8<Float> {
        let magic: Float = 12_582_912
        let k = (n + magic).bits &- SIMD8<Float>(repeating: magic).bits
        // r = v − n·ln 2, with ln 2 split in two so that the first product is exact.
        let r = v.plus(n, times: SIMD8(repeating: -0.693_359_375)).plus(n, times: SIMD8(repeating: 2.121_944_4e-4))
        // Degree five needs only r⁴, subnormal for |r| < 1e-10, i.e. for |v| < 1e-10: rare,
        // and such lanes are only slower, never wrong, so no floor (`flooredSquare`) here.
        let z = r * r
        let q = r.polynomial(squared: z, 5.000_000_120_1e-1, 1.666_666_545_9e-1, 4.166_579_589_4e-2,
                             8.333_451_907_3e-3, 1.398_199_950_7e-3, 1.987_569_15e-4)
        let p = (r + 1).plus(q, times: z)
        return p * SIMD8<Float>(bits: (k &+ 127) &<< 23)
    }

    @inlinable @inline(always)
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
        // f is small for x near 1 (log1p of a small u comes through here), but |f| ≥ 2⁻²⁴ or
        // f = 0, so z is never subnormal; floored, z⁴ is not either (see `flooredSquare`).
        let zFloored = z.replacing(with: 0x1p-30, where: z .< 0x1p-30)
        let p = f.polynomial(squared: zFloored, 3.333_333_117_4e-1, -2.499_999_399_3e-1, 2.000_071_476_5e-1,
                             -1.666_805_766_5e-1, 1.424_932_278_7e-1, -1.242_014_084_6e-1,
                             1.167_699_874_0e-1, -1.151_461_031_0e-1, 7.037_683_629_2e-2)
        var y = p * f * z
        y = y.plus(e, times: SIMD8(repeating: -2.121_944_40e-4))
        y = y.plus(z, times: SIMD8(repeating: -0.5))
        return (f + y).plus(e, times: SIMD8(repeating: 0.693_359_375))
            .replacing(with: -.infinity, where: x .== 0)
            .replacing(with: .nan, where: x .< 0)
            .replacing(with: .infinity, where: x .== .infinity)
            .replacing(with: x, where: x .!= x)
    }

    /// log(1 + u) = log(w) · u / (w − 1) with w = 1 + u rounded: the quotient corrects the
    /// rounding of w (Goldberg), so tiny u keep full relative precision.
    @inlinable @inline(always)
    public static func kernelLog1p(_ u: SIMD8<Float>) -> SIMD8<Float> {
        let w = 1 + u
        let d = w - 1
        let lw = kernelLog(w)
        var result = lw * (u / d)
        result = result.replacing(with: u, where: d .== 0)
        return result.replacing(with: lw, where: u .> 1e30)
    }

    /// expm1(a) = (w − 1) · a / log(w) with w = eᵃ rounded (Kahan).
    @inlinable @inline(always)
    public static func kernelExpm1(_ a: SIMD8<Float>) -> SIMD8<Float> {
        let w = kernelExp(a)
        let d = w - 1
        var result = d * (a / kernelLog(w))
        result = result.replacing(with: a, where: d .== 0)
        result = result.replacing(with: w, where: a .> 80)
        return result.replacing(with: -1, where: a .< -20)
    }

    /// log(1 + e) for 0 ≤ e ≤ 1 (the e^−|a| of a softplus): e · q(e) with q a degree-8
    /// polynomial fitted to log(1 + e)/e at Chebyshev nodes (3e-8 relative in exact
    /// arithmetic, within 2.5e-7 in Float). No division, and tiny e keep full relative
    /// precision. The powers of e come from a floored e (`flooredSquare`): e^−|a| of a
    /// saturated logit (|a| > 44) would otherwise make e·e subnormal and its lane slow.
    @inlinable @inline(always)
    public static func kernelLog1pUnit(_ e: SIMD8<Float>) -> SIMD8<Float> {
        let q = e.polynomial(squared: e.flooredSquare, 9.999_999_705e-1, -4.999_950_152e-1, 3.331_927_134e-1,
                             -2.484_436_989e-1, 1.911_143_108e-1, -1.367_476_971e-1,
                             7.836_166_802e-2, -2.958_850_739e-2, 5.253_457_797e-3)
        return q * e
    }

    /// √x from the bit-level estimate of 1/√x and three Newton steps (the SIMD
    /// `squareRoot()` of the standard library goes lane by lane).
    @inlinable @inline(always)
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

    @inlinable @inline(always)
    public static func kernelExp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable @inline(always)
    public static func kernelLog(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable @inline(always)
    public static func kernelLog1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inlinable @inline(always)
    public static func kernelExpm1(_ x: Float) -> Float { Foundation.expm1(x) }
    @inlinable @inline(always)
    public static func kernelPow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

// Double is for gradient tests, where accuracy matters and speed does not: every lane goes
// through the C library.

extension Double {
    @inlinable @inline(always)
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
