// The register-blocked inner kernel of the GEMM: an MR×NR tile of C kept in SIMD registers
// while the packed panels of A (MR values per k) and B (NR values per k) stream past.

/// One multiply-add step of the micro-kernel.
///
/// Swift never contracts `a * b + c` into a fused multiply-add on its own, and
/// `addingProduct` is lowered to a *library call per lane* (`fmaf`) when the target has no FMA
/// unit. So the fused form is only used when the build says FMA exists: compile with
/// `-Xcc -mfma -D ELBO_FMA` (or `-target-cpu haswell -D ELBO_FMA`); otherwise a separate
/// multiply and add is emitted, which is correct everywhere.
@inline(__always)
func multiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if ELBO_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// The shape of the tile kept in registers. With FMA, 6×16 uses 12 eight-lane accumulators,
/// which with the two B vectors and one broadcast fill the 16 ymm registers of AVX2 exactly (the
/// classic Haswell shape). A separate multiply and add needs one more register per step, and
/// 6×16 then spills; 4×16 does not, and measured as fast as any other shape on SSE2 (6×8, 4×8)
/// and within 5% of 6×16-FMA on AVX2 (Zen 3 has separate add pipes).
#if ELBO_FMA
let kernelRows = 6
let kernelColumns = 16
/// Which micro-kernel this build uses, for benchmark output.
public let gemmKernelDescription = "6x16 fused multiply-add (ELBO_FMA)"
#else
let kernelRows = 4
let kernelColumns = 16
/// Which micro-kernel this build uses, for benchmark output.
public let gemmKernelDescription = "4x16 multiply then add (portable)"
#endif

/// How the finished accumulators combine with C: `C = alpha·acc + beta·C`. `beta == 0` must
/// not read C, so that a C full of NaN (uninitialised) is overwritten cleanly, as BLAS does.
struct TileStore {
    var alpha: Float
    var beta: Float

    @inline(__always)
    func row(_ c: UnsafeMutablePointer<Float>, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>, columns: Int) {
        if columns == 16 {
            let p = UnsafeMutableRawPointer(c)
            var r0 = lo * alpha
            var r1 = hi * alpha
            if beta != 0 {
                r0 += p.loadUnaligned(as: SIMD8<Float>.self) * beta
                r1 += p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * beta
            }
            p.storeBytes(of: r0, as: SIMD8<Float>.self)
            p.storeBytes(of: r1, toByteOffset: 32, as: SIMD8<Float>.self)
        } else {
            for j in 0..<columns {
                let v = j < 8 ? lo[j] : hi[j - 8]
                c[j] = beta == 0 ? alpha * v : alpha * v + beta * c[j]
            }
        }
    }
}

/// Computes one tile: `C[0..<rows, 0..<columns] = alpha·(Ap·Bp) + beta·C` over `kc` steps.
/// `a` holds `kernelRows` floats per step, `b` holds 16 floats per step, both 32-byte aligned.
@inline(__always)
func microKernel(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    #if ELBO_FMA
    microKernel6x16(kc: kc, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, store: store)
    #else
    microKernel4x16(kc: kc, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, store: store)
    #endif
}

@inline(__always)
func microKernel6x16(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    let braw = UnsafeRawPointer(b)
    var ap = a
    for p in 0..<kc {
        let b0 = braw.load(fromByteOffset: p &* 64, as: SIMD8<Float>.self)
        let b1 = braw.load(fromByteOffset: p &* 64 &+ 32, as: SIMD8<Float>.self)
        var s = SIMD8<Float>(repeating: ap[0])
        c00 = multiplyAdd(c00, s, b0); c01 = multiplyAdd(c01, s, b1)
        s = SIMD8<Float>(repeating: ap[1])
        c10 = multiplyAdd(c10, s, b0); c11 = multiplyAdd(c11, s, b1)
        s = SIMD8<Float>(repeating: ap[2])
        c20 = multiplyAdd(c20, s, b0); c21 = multiplyAdd(c21, s, b1)
        s = SIMD8<Float>(repeating: ap[3])
        c30 = multiplyAdd(c30, s, b0); c31 = multiplyAdd(c31, s, b1)
        s = SIMD8<Float>(repeating: ap[4])
        c40 = multiplyAdd(c40, s, b0); c41 = multiplyAdd(c41, s, b1)
        s = SIMD8<Float>(repeating: ap[5])
        c50 = multiplyAdd(c50, s, b0); c51 = multiplyAdd(c51, s, b1)
        ap += 6
    }
    store.row(c, c00, c01, columns: columns)
    if rows > 1 { store.row(c + ldc, c10, c11, columns: columns) }
    if rows > 2 { store.row(c + 2 &* ldc, c20, c21, columns: columns) }
    if rows > 3 { store.row(c + 3 &* ldc, c30, c31, columns: columns) }
    if rows > 4 { store.row(c + 4 &* ldc, c40, c41, columns: columns) }
    if rows > 5 { store.row(c + 5 &* ldc, c50, c51, columns: columns) }
}

@inline(__always)
func microKernel4x16(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    let braw = UnsafeRawPointer(b)
    var ap = a
    for p in 0..<kc {
        let b0 = braw.load(fromByteOffset: p &* 64, as: SIMD8<Float>.self)
        let b1 = braw.load(fromByteOffset: p &* 64 &+ 32, as: SIMD8<Float>.self)
        var s = SIMD8<Float>(repeating: ap[0])
        c00 = multiplyAdd(c00, s, b0); c01 = multiplyAdd(c01, s, b1)
        s = SIMD8<Float>(repeating: ap[1])
        c10 = multiplyAdd(c10, s, b0); c11 = multiplyAdd(c11, s, b1)
        s = SIMD8<Float>(repeating: ap[2])
        c20 = multiplyAdd(c20, s, b0); c21 = multiplyAdd(c21, s, b1)
        s = SIMD8<Float>(repeating: ap[3])
        c30 = multiplyAdd(c30, s, b0); c31 = multiplyAdd(c31, s, b1)
        ap += 4
    }
    store.row(c, c00, c01, columns: columns)
    if rows > 1 { store.row(c + ldc, c10, c11, columns: columns) }
    if rows > 2 { store.row(c + 2 &* ldc, c20, c21, columns: columns) }
    if rows > 3 { store.row(c + 3 &* ldc, c30, c31, columns: columns) }
}

