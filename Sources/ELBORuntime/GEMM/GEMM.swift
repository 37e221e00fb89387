import Dispatch
import Foundation

/// Whether an operand of `gemm` is used as stored or transposed.
public enum Transpose: Sendable {
    /// Use the matrix as stored.
    case none
    /// Use the transpose of the stored matrix.
    case transposed
}

/// The number of worker threads `gemm` uses by default: one per active core.
public let defaultGEMMThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Below this many multiply-adds (2M: about 50 µs with FMA, 110 µs with SSE on one core) a
/// GEMM runs on the calling thread: waking a worker costs 10–20 µs, and on a shared machine the
/// other core may be busy, so splitting only pays for larger products.
let parallelThreshold = 1 << 21

/// Single-precision general matrix multiply on row-major storage:
/// `C = alpha · op(A) · op(B) + beta · C`, where op(A) is m×k, op(B) is k×n and C is m×n.
///
/// - Parameters:
///   - a: op(A) is `a` (m×k, leading dimension `lda` ≥ k) or, when `transA == .transposed`,
///     the transpose of the stored k×m matrix (`lda` ≥ m).
///   - b: likewise for op(B), k×n.
///   - c: m×n with leading dimension `ldc` ≥ n. With `beta == 0`, C is not read.
///   - threads: the most worker threads to use (default: one per core).
public func gemm(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int = defaultGEMMThreads
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, m: m, n: n, ldc: ldc, by: beta)
        return
    }
    let opA = MatrixOperand(base: a, ld: lda, transposed: transA == .transposed)
    let opB = MatrixOperand(base: b, ld: ldb, transposed: transB == .transposed)
    let store = TileStore(alpha: alpha, beta: beta)

    let work = m &* n &* k
    let workers = work < parallelThreshold ? 1 : max(1, threads)
    if workers == 1 {
        gemmSerial(m: m, n: n, k: k, a: opA, b: opB, c: c, ldc: ldc, store: store)
        return
    }
    // Split C into `workers` bands along its longer side, aligned to whole kernel tiles. Each
    // band is an independent GEMM that packs its own panels: the duplicated packing is O(mk+kn)
    // against O(mnk) arithmetic, and no synchronisation is needed.
    let splitRows = m > n
    let extent = splitRows ? m : n
    let granule = splitRows ? kernelRows : kernelColumns
    let tiles = (extent + granule - 1) / granule
    let parts = min(workers, tiles)
    let cAddress = UInt(bitPattern: c)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let t0 = tiles * part / parts, t1 = tiles * (part + 1) / parts
        let lo = t0 * granule, hi = min(extent, t1 * granule)
        if lo >= hi { return }
        let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
        if splitRows {
            gemmSerial(m: hi - lo, n: n, k: k, a: opA.offset(row: lo, column: 0), b: opB,
                       c: c + lo * ldc, ldc: ldc, store: store)
        } else {
            gemmSerial(m: m, n: hi - lo, k: k, a: opA, b: opB.offset(row: 0, column: lo),
                       c: c + lo, ldc: ldc, store: store)
        }
    }
}

/// `C = beta · C`, writing zeros (not reading C) when beta is 0.
func scaleMatrix(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, by beta: Float) {
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else if beta != 1 {
            for j in 0..<n { row[j] *= beta }
        }
    }
}

/// The blocked loop nest (Goto/BLIS order) on one thread.
func gemmSerial(
    m: Int, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand,
    c: UnsafeMutablePointer<Float>, ldc: Int, store: TileStore
) {
    let buffers = PackBufferPool.shared.take()
    defer { PackBufferPool.shared.give(buffers) }
    let mr = kernelRows, nr = kernelColumns
    var jc = 0
    while jc < n {
        let nc = min(GEMMBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(GEMMBlocking.kc, k - pc)
            packB(b.offset(row: pc, column: jc), kc: kc, nc: nc, into: buffers.b)
            // Only the first block along k applies the caller's beta; later ones accumulate.
            let blockStore = TileStore(alpha: store.alpha, beta: pc == 0 ? store.beta : 1)
            var ic = 0
            while ic < m {
                let mc = min(GEMMBlocking.mc, m - ic)
                packA(a.offset(row: ic, column: pc), mc: mc, kc: kc, into: buffers.a)
                var jr = 0
                while jr < nc {
                    let columns = min(nr, nc - jr)
                    let bPanel = UnsafePointer(buffers.b + jr * kc)
                    var ir = 0
                    while ir < mc {
                        let rows = min(mr, mc - ir)
                        microKernel(kc: kc, a: UnsafePointer(buffers.a + ir * kc * packedACopies), b: bPanel,
                                    c: c + (ic + ir) * ldc + jc + jr, ldc: ldc,
                                    rows: rows, columns: columns, store: blockStore)
                        ir += mr
                    }
                    jr += nr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}
