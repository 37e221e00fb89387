/// Eight consecutive components `start ..< start + 8` of a loop over `0 ..< end`; the last
/// step of a loop may have fewer active lanes. Generated loops step through components eight
/// at a time with these: a loop over full steps (`init(full:)`, where `active` is the
/// constant 8 and every helper is one vector instruction), then one partial step.
public struct KernelLanes<T: KernelScalar> {
    /// The first component.
    public let start: Int
    /// The number of active lanes, 1…8.
    public let active: Int

    /// The lanes from `start` on, for a loop ending at `end`.
    @inlinable @inline(__always)
    public init(_ start: Int, _ end: Int) {
        self.start = start
        active = Swift.min(8, end - start)
    }

    /// Eight full lanes from `start` on.
    @inlinable @inline(__always)
    public init(full start: Int) {
        self.start = start
        active = 8
    }

    /// Whether all eight lanes are active.
    @inlinable public var isFull: Bool { active == 8 }

    /// The active lanes as a mask.
    @inlinable
    public var mask: SIMDMask<SIMD8<T.SIMDMaskScalar>> {
        var m = SIMDMask<SIMD8<T.SIMDMaskScalar>>()
        for l in 0..<active { m[l] = true }
        return m
    }

    /// `base[start + l]` in each active lane, zero elsewhere.
    @inlinable @inline(__always)
    public func load(_ base: UnsafeMutablePointer<T>) -> SIMD8<T> {
        let p = base + start
        if active == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self) }
        var v = SIMD8<T>()
        for l in 0..<active { v[l] = p[l] }
        return v
    }

    /// `base[(start + l) · stride]` in each active lane (a column of a matrix).
    @inlinable @inline(__always)
    public func load(_ base: UnsafeMutablePointer<T>, stride: Int) -> SIMD8<T> {
        var v = SIMD8<T>()
        for l in 0..<active { v[l] = base[(start + l) * stride] }
        return v
    }

    /// Writes the active lanes to `base[start + l]`.
    @inlinable @inline(__always)
    public func store(_ v: SIMD8<T>, _ base: UnsafeMutablePointer<T>) {
        let p = base + start
        if active == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<T>.self); return }
        for l in 0..<active { p[l] = v[l] }
    }

    /// Writes `s` to every active component.
    @inlinable @inline(__always)
    public func store(_ s: T, _ base: UnsafeMutablePointer<T>) { store(SIMD8(repeating: s), base) }

    /// Adds the active lanes to `base[start + l]`.
    @inlinable @inline(__always)
    public func accumulate(_ v: SIMD8<T>, _ base: UnsafeMutablePointer<T>) { store(load(base) + v, base) }

    /// Adds `s` to every active component.
    @inlinable @inline(__always)
    public func accumulate(_ s: T, _ base: UnsafeMutablePointer<T>) { accumulate(SIMD8(repeating: s), base) }

    /// Adds the active lanes to `base[(start + l) · stride]`.
    @inlinable @inline(__always)
    public func accumulate(_ v: SIMD8<T>, _ base: UnsafeMutablePointer<T>, stride: Int) {
        for l in 0..<active { base[(start + l) * stride] += v[l] }
    }

    /// `v` with the inactive lanes zeroed, for a sum.
    @inlinable @inline(__always)
    public func masked(_ v: SIMD8<T>) -> SIMD8<T> {
        active == 8 ? v : v.replacing(with: 0, where: .!mask)
    }

    /// `s` in every active lane, zero elsewhere, for a sum of a loop-invariant term.
    @inlinable @inline(__always)
    public func masked(_ s: T) -> SIMD8<T> { masked(SIMD8(repeating: s)) }
}
