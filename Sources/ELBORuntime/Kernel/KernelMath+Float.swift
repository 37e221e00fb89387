// Eight-lane Float overloads of `KernelMath` and `KernelLanes`. They shadow the generic
// versions for SIMD8<Float>, which matters: the generic SIMD operators compile to
// lane-by-lane code, while these use the concrete SIMD8<Float> ones that map to vector
// instructions. (The Double versions used by gradient tests stay generic.)

extension KernelMath {
    public typealias F8 = SIMD8<Float>

    @inlinable @inline(always) public static func exp(_ x: F8) -> F8 { Float.kernelExp(x) }
    @inlinable @inline(always) public static func expNegAbs(_ x: F8) -> F8 { Float.kernelExpNegAbs(x) }
    @inlinable @inline(always) public static func log(_ x: F8) -> F8 { Float.kernelLog(x) }
    @inlinable @inline(always) public static func log1p(_ x: F8) -> F8 { Float.kernelLog1p(x) }
    @inlinable @inline(always) public static func expm1(_ x: F8) -> F8 { Float.kernelExpm1(x) }
    @inlinable @inline(always) public static func log1pUnit(_ x: F8) -> F8 { Float.kernelLog1pUnit(x) }
    @inlinable @inline(always) public static func sqrt(_ x: F8) -> F8 { Float.kernelSqrt(x) }

    /// The sum of the lanes as a tree of halves (the standard library's `sum()` was left as a
    /// call in large generated functions).
    @inlinable @inline(always) public static func sum(_ x: F8) -> Float {
        let four = x.lowHalf + x.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    @inlinable @inline(always) public static func abs(_ x: F8) -> F8 { F8(bits: x.bits & 0x7FFF_FFFF) }
    @inlinable @inline(always) public static func relu(_ x: F8) -> F8 { x.replacing(with: 0, where: x .< 0) }

    @inlinable @inline(always) public static func pow(_ x: F8, _ y: Float) -> F8 { exp(y * log(x)) }
    @inlinable @inline(always) public static func pow(_ x: F8, _ n: Int) -> F8 {
        var (result, base, e) = (F8(repeating: 1), x, n.magnitude)
        while e > 0 { if e & 1 == 1 { result *= base }; base *= base; e >>= 1 }
        return n < 0 ? 1 / result : result
    }

    @inlinable @inline(always) public static func softplus(_ a: F8) -> F8 { relu(a) + log1pUnit(expNegAbs(a)) }
    @inlinable @inline(always) public static func sigmoid(_ a: F8) -> F8 {
        let e = expNegAbs(a)
        return F8(repeating: 1).replacing(with: e, where: a .< 0) / (1 + e)
    }
    @inlinable @inline(always) public static func logsigmoid(_ a: F8) -> F8 {
        a.replacing(with: 0, where: a .> 0) - log1pUnit(expNegAbs(a))
    }

    @inlinable @inline(always) public static func ifNonNegative(_ c: F8, _ a: F8, _ b: F8) -> F8 {
        a.replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(always) public static func ifNonNegative(_ c: F8, _ a: Float, _ b: F8) -> F8 {
        F8(repeating: a).replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(always) public static func ifNonNegative(_ c: F8, _ a: F8, _ b: Float) -> F8 {
        a.replacing(with: b, where: c .< 0)
    }
    @inlinable @inline(always) public static func ifNonNegative(_ c: F8, _ a: Float, _ b: Float) -> F8 {
        F8(repeating: a).replacing(with: b, where: c .< 0)
    }
}

extension KernelLanes where T == Float {
    @inlinable @inline(always)
    public func accumulate(_ v: SIMD8<Float>, _ base: UnsafeMutablePointer<Float>) {
        let p = base + start
        if active == 8 {
            let old = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(p).storeBytes(of: old + v, as: SIMD8<Float>.self)
            return
        }
        for l in 0..<active { p[l] += v[l] }
    }

    @inlinable @inline(always)
    public func accumulate(_ s: Float, _ base: UnsafeMutablePointer<Float>) { accumulate(SIMD8(repeating: s), base) }

    @inlinable @inline(always)
    public func masked(_ v: SIMD8<Float>) -> SIMD8<Float> {
        if active == 8 { return v }
        var out = SIMD8<Float>()
        for l in 0..<active { out[l] = v[l] }
        return out
    }

    @inlinable @inline(always)
    public func masked(_ s: Float) -> SIMD8<Float> { masked(SIMD8(repeating: s)) }
}
