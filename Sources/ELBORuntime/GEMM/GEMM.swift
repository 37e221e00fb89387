import Dispatch
import Foundation

/// Whether an operand of `gemm` is used as stored or transposed.
public enum Transpose: Sendable {
    /// Use the matrix as stored.
    case none
    /// Use the transpose of the stored matrix.
    case transposed
}

/// What `gemm` does to each element of C as it stores it, so that a dense layer makes no
/// separate passes over its output for the bias, the activation or the activation's gradient.
public struct GEMMEpilogue: @unchecked Sendable {
    /// n values added to every row of C in place of `beta·C` (beta must be 0): `C = alpha·AB + bias`,
    /// rounded exactly as `C = bias` followed by a product accumulated with beta = 1.
    public var bias: UnsafePointer<Float>?
    /// Whether to store max(y, 0) (with `Activation.relu`'s convention: NaN becomes 0).
    public var relu: Bool
    /// An m×n matrix (leading dimension `ldGate`): each result is multiplied by 1 where the
    /// gate is positive and by 0 elsewhere, which is ReLU's backward pass given its output.
    public var gate: UnsafePointer<Float>?
    /// The leading dimension of `gate`.
    public var ldGate: Int

    /// An epilogue; by default none.
    public init(bias: UnsafePointer<Float>? = nil, relu: Bool = false, gate: UnsafePointer<Float>? = nil, ldGate: Int = 0) {
        self.bias = bias
        self.relu = relu
        self.gate = gate
        self.ldGate = ldGate
    }

    /// Store `alpha·AB + beta·C` unchanged.
    public static let none = GEMMEpilogue()
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
///   - epilogue: a bias row, ReLU or a ReLU gate applied as C is stored (default: none).
///   - threads: the most worker threads to use (default: one per core).
public func gemm(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    epilogue: GEMMEpilogue = .none,
    threads: Int = defaultGEMMThreads
) {
    gemm(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
         epilogue: epilogue, threads: threads, tileKernel: .preferred)
}

/// `gemm` with the register tile chosen by the caller (tests compare the kernels' bits).
func gemm(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue, threads: Int,
    tileKernel: GEMMTileKernel
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    precondition(epilogue.bias == nil || beta == 0, "gemm: a bias epilogue replaces beta·C, so beta must be 0")
    if m == 0 || n == 0 { return }
    let store = TileStore(alpha: alpha, beta: beta, bias: epilogue.bias, relu: epilogue.relu,
                          gate: epilogue.gate, ldGate: epilogue.ldGate)
    if k == 0 || alpha == 0 {
        // The product is zero: each element is the stored combination of a zero accumulator
        // (alpha set to 0 so that an infinite alpha does not make 0·alpha a NaN).
        var zero = store
        zero.alpha = 0
        for i in 0..<m {
            var j = 0
            while j < n {
                let columns = min(16, n - j)
                zero.offset(row: i, column: j).row(c + i * ldc + j, 0, SIMD8<Float>(), SIMD8<Float>(), columns: columns)
                j += columns
            }
        }
        return
    }
    let opA = MatrixOperand(base: a, ld: lda, transposed: transA == .transposed)
    let opB = MatrixOperand(base: b, ld: ldb, transposed: transB == .transposed)

    let work = m &* n &* k
    let workers = work < parallelThreshold ? 1 : max(1, threads)
    if workers == 1 {
        gemmSerial(m: m, n: n, k: k, a: opA, b: opB, c: c, ldc: ldc, store: store, tileKernel: tileKernel)
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
                       c: c + lo * ldc, ldc: ldc, store: store.offset(row: lo, column: 0), tileKernel: tileKernel)
        } else {
            gemmSerial(m: m, n: hi - lo, k: k, a: opA, b: opB.offset(row: 0, column: lo),
                       c: c + lo, ldc: ldc, store: store.offset(row: 0, column: lo), tileKernel: tileKernel)
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
    c: UnsafeMutablePointer<Float>, ldc: Int, store: TileStore, tileKernel: GEMMTileKernel
) {
    let buffers = PackBufferPool.shared.take()
    defer { PackBufferPool.shared.give(buffers) }
    let mr = kernelRows, nr = kernelColumns
    // A stored row-major (op(A) = A) is read where it is, without packing (see
    // `microKernel6x16InPlace`); a transposed A is packed into strips.
    let inPlace = kernelReadsAInPlace && !a.transposed
    var jc = 0
    while jc < n {
        let nc = min(GEMMBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(GEMMBlocking.kc, k - pc)
            packB(b.offset(row: pc, column: jc), kc: kc, nc: nc, into: buffers.b)
            // Only the first block along k applies the caller's beta (or bias); later ones
            // accumulate, and the last applies the activation.
            let blockStore = store.block(first: pc == 0, last: pc + kc >= k)
            var ic = 0
            while ic < m {
                let mc = min(GEMMBlocking.mc, m - ic)
                let aBlock = a.offset(row: ic, column: pc)
                if !inPlace { packA(aBlock, mc: mc, kc: kc, into: buffers.a) }
                var jr = 0
                if tileKernel == .wide {
                    // Pairs of panels go to the 6×32 kernel; an odd last panel to the loop below.
                    while nc - jr > nr {
                        let columns = min(2 * nr, nc - jr)
                        let bPanel = UnsafePointer(buffers.b + jr * kc)
                        var ir = 0
                        while ir < mc {
                            let rows = min(mr, mc - ir)
                            let aTile = inPlace ? aBlock.base + ir * aBlock.ld : UnsafePointer(buffers.a + ir * kc * packedACopies)
                            wideTile(kc: kc, a: aTile, lda: aBlock.ld, aInPlace: inPlace, b0: bPanel,
                                     c: c + (ic + ir) * ldc + jc + jr, ldc: ldc, rows: rows, columns: columns,
                                     store: blockStore.offset(row: ic + ir, column: jc + jr), scratch: buffers.tile)
                            ir += mr
                        }
                        jr += 2 * nr
                    }
                }
                while jr < nc {
                    let columns = min(nr, nc - jr)
                    let bPanel = UnsafePointer(buffers.b + jr * kc)
                    var ir = 0
                    while ir < mc {
                        let rows = min(mr, mc - ir)
                        let tile = c + (ic + ir) * ldc + jc + jr
                        let tileStore = blockStore.offset(row: ic + ir, column: jc + jr)
                        if inPlace {
                            microKernel6x16InPlace(kc: kc, a: aBlock.base + ir * aBlock.ld, lda: aBlock.ld, b: bPanel,
                                                   c: tile, ldc: ldc, rows: rows, columns: columns, store: tileStore)
                        } else {
                            microKernel(kc: kc, a: UnsafePointer(buffers.a + ir * kc * packedACopies), b: bPanel,
                                        c: tile, ldc: ldc, rows: rows, columns: columns, store: tileStore)
                        }
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
