// The register-blocked inner kernel of the GEMM: an MR×NR tile of C kept in SIMD registers
// while the packed panels of A (MR values per k) and B (NR values per k) stream past.

// Two kernels, chosen when compiling:
//
// - With FMA (x86-64 built with `-Xcc -mfma -Xcc -mavx2 -D ELBO_FMA`, or any arm64): 6×16 with fused
//   multiply-adds. 12 eight-lane accumulators, two B vectors and one broadcast fill the 16 ymm
//   registers of AVX2 exactly (the classic Haswell shape).
// - Otherwise (baseline x86-64, i.e. SSE2): 6×8 on four-lane vectors with A pre-broadcast.
//
// The choice cannot be made at run time: Swift has no per-function target attributes, and
// `addingProduct` compiled without FMA becomes a *library call per lane* (`fmaf`), so the FMA
// kernel must only exist in builds that declare FMA hardware.
#if ELBO_FMA || arch(arm64)
let kernelRows = 6
let kernelColumns = 16
let packedACopies = 1
/// Which micro-kernel this build uses, for benchmark output.
public let gemmKernelDescription = "6x16 fused multiply-add"
#else
let kernelRows = 6
let kernelColumns = 8
let packedACopies = 4
/// Which micro-kernel this build uses, for benchmark output.
public let gemmKernelDescription = "6x8 SSE, A pre-broadcast (portable)"
#endif

/// How the finished accumulators combine with C: `C = alpha·acc + beta·C`, or `alpha·acc + bias`
/// when a bias row is given, then the epilogue of the last block along k (ReLU, or a gate from
/// ReLU's output). `beta == 0` must not read C, so that a C full of NaN (uninitialised) is
/// overwritten cleanly, as BLAS does.
///
/// The pointers are those of the tile being stored: `bias` at its first column, `gate` at its
/// first element.
struct TileStore {
    var alpha: Float
    var beta: Float
    /// Added to each row in place of beta·C (first block along k only).
    var bias: UnsafePointer<Float>? = nil
    /// Whether this block along k is the last one, which applies `relu` and `gate`.
    var last = true
    var relu = false
    var gate: UnsafePointer<Float>? = nil
    var ldGate = 0

    /// The store for the block along k that starts at `pc` of `k`: only the first applies beta
    /// and the bias (later ones accumulate onto C), only the last the activation.
    func block(first: Bool, last: Bool) -> TileStore {
        var s = self
        if !first { s.beta = 1; s.bias = nil }
        s.last = last
        return s
    }

    /// The store for the tile (or band) whose first element is at row `i`, column `j` of C.
    @inline(__always)
    func offset(row i: Int, column j: Int) -> TileStore {
        var s = self
        if let b = bias { s.bias = b + j }
        if let g = gate { s.gate = g + (i &* ldGate &+ j) }
        return s
    }

    /// Combines lanes `0..<columns` of row `r` of the tile (`lo` then `hi`) into `c`, its row
    /// of C. The arithmetic is the same lane by lane as in the scalar tail, so a result does not
    /// depend on where the tile edges fall.
    @inline(__always)
    func row(_ c: UnsafeMutablePointer<Float>, _ r: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>, columns: Int) {
        guard columns == 16 else { return partialRow(c, r, SIMD16(lowHalf: lo, highHalf: hi), columns: columns) }
        let p = UnsafeMutableRawPointer(c)
        var r0 = lo * alpha
        var r1 = hi * alpha
        if let b = bias {
            let q = UnsafeRawPointer(b)
            r0 += q.loadUnaligned(as: SIMD8<Float>.self)
            r1 += q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        } else if beta != 0 {
            r0 += p.loadUnaligned(as: SIMD8<Float>.self) * beta
            r1 += p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * beta
        }
        if last && relu {
            r0.replace(with: 0, where: .!(r0 .> 0))
            r1.replace(with: 0, where: .!(r1 .> 0))
        }
        if last, let g = gate {
            let q = UnsafeRawPointer(g + r &* ldGate)
            let one = SIMD8<Float>(repeating: 1)
            r0 *= one.replacing(with: 0, where: .!(q.loadUnaligned(as: SIMD8<Float>.self) .> 0))
            r1 *= one.replacing(with: 0, where: .!(q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) .> 0))
        }
        p.storeBytes(of: r0, as: SIMD8<Float>.self)
        p.storeBytes(of: r1, toByteOffset: 32, as: SIMD8<Float>.self)
    }

    @inline(__always)
    func row(_ c: UnsafeMutablePointer<Float>, _ r: Int, _ lo: SIMD4<Float>, _ hi: SIMD4<Float>, columns: Int) {
        guard columns == 8 else { return partialRow(c, r, SIMD16(lowHalf: SIMD8(lowHalf: lo, highHalf: hi), highHalf: SIMD8()), columns: columns) }
        let p = UnsafeMutableRawPointer(c)
        var r0 = lo * alpha
        var r1 = hi * alpha
        if let b = bias {
            let q = UnsafeRawPointer(b)
            r0 += q.loadUnaligned(as: SIMD4<Float>.self)
            r1 += q.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        } else if beta != 0 {
            r0 += p.loadUnaligned(as: SIMD4<Float>.self) * beta
            r1 += p.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self) * beta
        }
        if last && relu {
            r0.replace(with: 0, where: .!(r0 .> 0))
            r1.replace(with: 0, where: .!(r1 .> 0))
        }
        if last, let g = gate {
            let q = UnsafeRawPointer(g + r &* ldGate)
            let one = SIMD4<Float>(repeating: 1)
            r0 *= one.replacing(with: 0, where: .!(q.loadUnaligned(as: SIMD4<Float>.self) .> 0))
            r1 *= one.replacing(with: 0, where: .!(q.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self) .> 0))
        }
        p.storeBytes(of: r0, as: SIMD4<Float>.self)
        p.storeBytes(of: r1, toByteOffset: 16, as: SIMD4<Float>.self)
    }

    /// A row cut by the right edge of C: the same operations one lane at a time (not inlined:
    /// it is rare, and keeping it out keeps the kernel's loop small).
    @inline(never)
    func partialRow(_ c: UnsafeMutablePointer<Float>, _ r: Int, _ lanes: SIMD16<Float>, columns: Int) {
        for j in 0..<columns {
            var v = lanes[j] * alpha
            if let b = bias { v += b[j] } else if beta != 0 { v += c[j] * beta }
            if last && relu && !(v > 0) { v = 0 }
            if last, let g = gate { v *= g[r &* ldGate &+ j] > 0 ? 1 : 0 }
            c[j] = v
        }
    }
}

/// Computes one tile: `C[0..<rows, 0..<columns] = alpha·(Ap·Bp) + beta·C` over `kc` steps.
/// Per step, `a` holds `kernelRows · packedACopies` floats and `b` holds `kernelColumns`
/// floats; both panels are 64-byte aligned (see `packA`, `packB`).
@inline(__always)
func microKernel(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    #if ELBO_FMA || arch(arm64)
    microKernel6x16(kc: kc, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, store: store)
    #else
    microKernel6x8Broadcast(kc: kc, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, store: store)
    #endif
}

#if ELBO_FMA || arch(arm64)
@inline(__always)
func multiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    acc.addingProduct(a, b)
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
    store.row(c, 0, c00, c01, columns: columns)
    if rows > 1 { store.row(c + ldc, 1, c10, c11, columns: columns) }
    if rows > 2 { store.row(c + 2 &* ldc, 2, c20, c21, columns: columns) }
    if rows > 3 { store.row(c + 3 &* ldc, 3, c30, c31, columns: columns) }
    if rows > 4 { store.row(c + 4 &* ldc, 4, c40, c41, columns: columns) }
    if rows > 5 { store.row(c + 5 &* ldc, 5, c50, c51, columns: columns) }
}

/// The 6×16 kernel reading A where it is stored: a row-major block with unit stride along k
/// (`lda` between rows), as the activations of a forward pass or a backward pass's output
/// gradient are. It does the same arithmetic in the same order as on a packed strip, so the
/// result is the same to the bit; it saves packing A, which for the batch-128 layer products is
/// a transposing copy as large as the data the kernel then reads. Rows past `rows` read the
/// last row again (their results are not stored).
@inline(__always)
func microKernel6x16InPlace(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    let braw = UnsafeRawPointer(b)
    let a0 = a
    let a1 = a + min(1, rows &- 1) &* lda
    let a2 = a + min(2, rows &- 1) &* lda
    let a3 = a + min(3, rows &- 1) &* lda
    let a4 = a + min(4, rows &- 1) &* lda
    let a5 = a + min(5, rows &- 1) &* lda
    for p in 0..<kc {
        let b0 = braw.load(fromByteOffset: p &* 64, as: SIMD8<Float>.self)
        let b1 = braw.load(fromByteOffset: p &* 64 &+ 32, as: SIMD8<Float>.self)
        var s = SIMD8<Float>(repeating: a0[p])
        c00 = multiplyAdd(c00, s, b0); c01 = multiplyAdd(c01, s, b1)
        s = SIMD8<Float>(repeating: a1[p])
        c10 = multiplyAdd(c10, s, b0); c11 = multiplyAdd(c11, s, b1)
        s = SIMD8<Float>(repeating: a2[p])
        c20 = multiplyAdd(c20, s, b0); c21 = multiplyAdd(c21, s, b1)
        s = SIMD8<Float>(repeating: a3[p])
        c30 = multiplyAdd(c30, s, b0); c31 = multiplyAdd(c31, s, b1)
        s = SIMD8<Float>(repeating: a4[p])
        c40 = multiplyAdd(c40, s, b0); c41 = multiplyAdd(c41, s, b1)
        s = SIMD8<Float>(repeating: a5[p])
        c50 = multiplyAdd(c50, s, b0); c51 = multiplyAdd(c51, s, b1)
    }
    store.row(c, 0, c00, c01, columns: columns)
    if rows > 1 { store.row(c + ldc, 1, c10, c11, columns: columns) }
    if rows > 2 { store.row(c + 2 &* ldc, 2, c20, c21, columns: columns) }
    if rows > 3 { store.row(c + 3 &* ldc, 3, c30, c31, columns: columns) }
    if rows > 4 { store.row(c + 4 &* ldc, 4, c40, c41, columns: columns) }
    if rows > 5 { store.row(c + 5 &* ldc, 5, c50, c51, columns: columns) }
}

/// Whether this build's kernel can read a row-major A in place (the FMA kernel broadcasts one
/// value of A at a time; the SSE kernel needs A stored four times over).
let kernelReadsAInPlace = true

#else
/// The SSE kernel. SSE has no broadcast-from-memory, so `packA` stores every A value four
/// times and the kernel multiplies by aligned loads instead of shuffling (shuffles compete with
/// the multiply and add ports). 12 accumulators + 2 B vectors + 1 product fill 16 xmm registers.
@inline(__always)
func microKernel6x8Broadcast(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore
) {
    var c00 = SIMD4<Float>(), c01 = SIMD4<Float>()
    var c10 = SIMD4<Float>(), c11 = SIMD4<Float>()
    var c20 = SIMD4<Float>(), c21 = SIMD4<Float>()
    var c30 = SIMD4<Float>(), c31 = SIMD4<Float>()
    var c40 = SIMD4<Float>(), c41 = SIMD4<Float>()
    var c50 = SIMD4<Float>(), c51 = SIMD4<Float>()
    let braw = UnsafeRawPointer(b)
    var araw = UnsafeRawPointer(a)
    for p in 0..<kc {
        let b0 = braw.load(fromByteOffset: p &* 32, as: SIMD4<Float>.self)
        let b1 = braw.load(fromByteOffset: p &* 32 &+ 16, as: SIMD4<Float>.self)
        var s = araw.load(as: SIMD4<Float>.self)
        c00 += s * b0; c01 += s * b1
        s = araw.load(fromByteOffset: 16, as: SIMD4<Float>.self)
        c10 += s * b0; c11 += s * b1
        s = araw.load(fromByteOffset: 32, as: SIMD4<Float>.self)
        c20 += s * b0; c21 += s * b1
        s = araw.load(fromByteOffset: 48, as: SIMD4<Float>.self)
        c30 += s * b0; c31 += s * b1
        s = araw.load(fromByteOffset: 64, as: SIMD4<Float>.self)
        c40 += s * b0; c41 += s * b1
        s = araw.load(fromByteOffset: 80, as: SIMD4<Float>.self)
        c50 += s * b0; c51 += s * b1
        araw += 96
    }
    store.row(c, 0, c00, c01, columns: columns)
    if rows > 1 { store.row(c + ldc, 1, c10, c11, columns: columns) }
    if rows > 2 { store.row(c + 2 &* ldc, 2, c20, c21, columns: columns) }
    if rows > 3 { store.row(c + 3 &* ldc, 3, c30, c31, columns: columns) }
    if rows > 4 { store.row(c + 4 &* ldc, 4, c40, c41, columns: columns) }
    if rows > 5 { store.row(c + 5 &* ldc, 5, c50, c51, columns: columns) }
}
#endif
