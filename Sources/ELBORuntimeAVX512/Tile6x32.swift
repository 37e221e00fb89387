// The GEMM's AVX-512 micro-kernels: 6×32 tiles of C in twelve sixteen-lane registers.
//
// This module is compiled with `-mavx512f` and nothing in it may run on a CPU without
// AVX-512: ELBORuntime calls these functions only after checking the CPU (`GEMMTileKernel`),
// so one build runs on AVX2 machines and uses the wider registers where they exist. Swift has
// no per-function target attributes, which is why this is a module of its own. The functions
// take plain pointers and are not inlinable, so no AVX-512 code is inlined into callers.
//
// Each tile is the product of two adjacent packed 16-column panels of B (the layout `packB`
// writes for the AVX2 kernel) with six rows of A. Every element of C is accumulated by fused
// multiply-adds in order of k from zero, exactly as the AVX2 6×16 kernel does, so the two
// kernels give the same bits and may be mixed within one product (the last odd panel of a
// block goes to the AVX2 kernel).

#if arch(x86_64)
@inline(__always)
private func multiplyAdd(_ acc: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    acc.addingProduct(a, b)
}

/// The 6×32 product of rows `a` (row r of the tile at `a + min(r, rows − 1)·lda`, unit stride
/// along k: a row-major A read in place) with the packed panels `b0` (columns 0–15) and `b1`
/// (columns 16–31), each 16 floats per k and 64-byte aligned, over `kc` steps. Writes the
/// accumulators row-major (32 floats a row, 192 in all) to `out`. Rows past `rows` repeat the
/// last row, so the caller stores only the first `rows`.
public func avx512Tile6x32InPlace(
    kc: Int, a: UnsafePointer<Float>, lda: Int, rows: Int,
    b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    let r0 = UnsafeRawPointer(b0), r1 = UnsafeRawPointer(b1)
    let a0 = a
    let a1 = a + min(1, rows &- 1) &* lda
    let a2 = a + min(2, rows &- 1) &* lda
    let a3 = a + min(3, rows &- 1) &* lda
    let a4 = a + min(4, rows &- 1) &* lda
    let a5 = a + min(5, rows &- 1) &* lda
    for p in 0..<kc {
        let x = r0.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
        let y = r1.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
        var s = SIMD16<Float>(repeating: a0[p])
        c00 = multiplyAdd(c00, s, x); c01 = multiplyAdd(c01, s, y)
        s = SIMD16<Float>(repeating: a1[p])
        c10 = multiplyAdd(c10, s, x); c11 = multiplyAdd(c11, s, y)
        s = SIMD16<Float>(repeating: a2[p])
        c20 = multiplyAdd(c20, s, x); c21 = multiplyAdd(c21, s, y)
        s = SIMD16<Float>(repeating: a3[p])
        c30 = multiplyAdd(c30, s, x); c31 = multiplyAdd(c31, s, y)
        s = SIMD16<Float>(repeating: a4[p])
        c40 = multiplyAdd(c40, s, x); c41 = multiplyAdd(c41, s, y)
        s = SIMD16<Float>(repeating: a5[p])
        c50 = multiplyAdd(c50, s, x); c51 = multiplyAdd(c51, s, y)
    }
    let o = UnsafeMutableRawPointer(out)
    o.storeBytes(of: c00, toByteOffset: 0, as: SIMD16<Float>.self); o.storeBytes(of: c01, toByteOffset: 64, as: SIMD16<Float>.self)
    o.storeBytes(of: c10, toByteOffset: 128, as: SIMD16<Float>.self); o.storeBytes(of: c11, toByteOffset: 192, as: SIMD16<Float>.self)
    o.storeBytes(of: c20, toByteOffset: 256, as: SIMD16<Float>.self); o.storeBytes(of: c21, toByteOffset: 320, as: SIMD16<Float>.self)
    o.storeBytes(of: c30, toByteOffset: 384, as: SIMD16<Float>.self); o.storeBytes(of: c31, toByteOffset: 448, as: SIMD16<Float>.self)
    o.storeBytes(of: c40, toByteOffset: 512, as: SIMD16<Float>.self); o.storeBytes(of: c41, toByteOffset: 576, as: SIMD16<Float>.self)
    o.storeBytes(of: c50, toByteOffset: 640, as: SIMD16<Float>.self); o.storeBytes(of: c51, toByteOffset: 704, as: SIMD16<Float>.self)
}

/// As `avx512Tile6x32InPlace`, with A packed by `packA`: six values per k (zero past the
/// block's rows), 6·kc floats in all.
public func avx512Tile6x32Packed(
    kc: Int, a: UnsafePointer<Float>,
    b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    let r0 = UnsafeRawPointer(b0), r1 = UnsafeRawPointer(b1)
    var ap = a
    for p in 0..<kc {
        let x = r0.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
        let y = r1.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
        var s = SIMD16<Float>(repeating: ap[0])
        c00 = multiplyAdd(c00, s, x); c01 = multiplyAdd(c01, s, y)
        s = SIMD16<Float>(repeating: ap[1])
        c10 = multiplyAdd(c10, s, x); c11 = multiplyAdd(c11, s, y)
        s = SIMD16<Float>(repeating: ap[2])
        c20 = multiplyAdd(c20, s, x); c21 = multiplyAdd(c21, s, y)
        s = SIMD16<Float>(repeating: ap[3])
        c30 = multiplyAdd(c30, s, x); c31 = multiplyAdd(c31, s, y)
        s = SIMD16<Float>(repeating: ap[4])
        c40 = multiplyAdd(c40, s, x); c41 = multiplyAdd(c41, s, y)
        s = SIMD16<Float>(repeating: ap[5])
        c50 = multiplyAdd(c50, s, x); c51 = multiplyAdd(c51, s, y)
        ap += 6
    }
    let o = UnsafeMutableRawPointer(out)
    o.storeBytes(of: c00, toByteOffset: 0, as: SIMD16<Float>.self); o.storeBytes(of: c01, toByteOffset: 64, as: SIMD16<Float>.self)
    o.storeBytes(of: c10, toByteOffset: 128, as: SIMD16<Float>.self); o.storeBytes(of: c11, toByteOffset: 192, as: SIMD16<Float>.self)
    o.storeBytes(of: c20, toByteOffset: 256, as: SIMD16<Float>.self); o.storeBytes(of: c21, toByteOffset: 320, as: SIMD16<Float>.self)
    o.storeBytes(of: c30, toByteOffset: 384, as: SIMD16<Float>.self); o.storeBytes(of: c31, toByteOffset: 448, as: SIMD16<Float>.self)
    o.storeBytes(of: c40, toByteOffset: 512, as: SIMD16<Float>.self); o.storeBytes(of: c41, toByteOffset: 576, as: SIMD16<Float>.self)
    o.storeBytes(of: c50, toByteOffset: 640, as: SIMD16<Float>.self); o.storeBytes(of: c51, toByteOffset: 704, as: SIMD16<Float>.self)
}
#endif
