import Foundation

// Packing copies a block of op(A) or op(B) into the exact order the micro-kernel reads it, so
// the kernel sees unit-stride, aligned, zero-padded panels whatever the transposes and edges.

/// Cache blocking. A packed KC×NR sliver of B (8 or 16 KB) stays in L1 across a whole column of
/// tiles, the packed MC×KC block of A (144 KB, or 288 KB stored four times over) in L2, and a
/// KC×NC panel of B (2 MB) in L3.
enum GEMMBlocking {
    static let kc = 256
    /// A multiple of the kernel height; halved when A is stored four times over (SSE).
    static let mc = packedACopies == 1 ? 144 : 72
    static let nc = 2048 // a multiple of both kernel widths (8 and 16)
}

/// A read-only view of `op(X)` for a row-major X: element (i, j) of the logical matrix.
struct MatrixOperand {
    var base: UnsafePointer<Float>
    var ld: Int
    var transposed: Bool

    /// The view starting at logical row `i`, column `j`.
    @inline(__always)
    func offset(row i: Int, column j: Int) -> MatrixOperand {
        let shift = transposed ? j &* ld &+ i : i &* ld &+ j
        return MatrixOperand(base: base + shift, ld: ld, transposed: transposed)
    }
}

/// Packs logical rows `0..<mc`, columns `0..<kc` of `a` into strips of `kernelRows` rows:
/// strip s holds, for every k, the `kernelRows` values of its rows (padded with zeros), each
/// repeated `packedACopies` times (4 for the SSE kernel, which then needs no broadcasts).
@inline(__always)
func packA(_ a: MatrixOperand, mc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    let mr = kernelRows, copies = packedACopies
    var out = dst
    var i0 = 0
    while i0 < mc {
        let rows = min(mr, mc &- i0)
        @inline(__always) func put(_ p: Int, _ r: Int, _ v: Float) {
            let base = (p &* mr &+ r) &* copies
            for q in 0..<copies { out[base &+ q] = v }
        }
        if a.transposed {
            // Logical row i is column i of the stored matrix: each k gives `rows` contiguous values.
            for p in 0..<kc {
                let src = a.base + (p &* a.ld &+ i0)
                for r in 0..<rows { put(p, r, src[r]) }
                for r in rows..<mr { put(p, r, 0) }
            }
        } else {
            for r in 0..<rows {
                let src = a.base + (i0 &+ r) &* a.ld
                for p in 0..<kc { put(p, r, src[p]) }
            }
            if rows < mr {
                for p in 0..<kc { for r in rows..<mr { put(p, r, 0) } }
            }
        }
        out += mr &* kc &* copies
        i0 &+= mr
    }
}

/// Packs logical rows `0..<kc`, columns `0..<nc` of `b` into strips `kernelColumns` wide:
/// strip s holds, for every k, the values of its columns (padded with zeros).
@inline(__always)
func packB(_ b: MatrixOperand, kc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
    let nr = kernelColumns
    var out = dst
    var j0 = 0
    while j0 < nc {
        let cols = min(nr, nc &- j0)
        if b.transposed {
            // Logical column j is row j of the stored matrix: contiguous along k.
            for jj in 0..<cols {
                let src = b.base + (j0 &+ jj) &* b.ld
                for p in 0..<kc { out[p &* nr &+ jj] = src[p] }
            }
            if cols < nr {
                for p in 0..<kc { for jj in cols..<nr { out[p &* nr &+ jj] = 0 } }
            }
        } else if cols == nr && nr == 16 {
            for p in 0..<kc {
                let src = UnsafeRawPointer(b.base + (p &* b.ld &+ j0))
                let o = UnsafeMutableRawPointer(out + p &* nr)
                o.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            }
        } else if cols == nr && nr == 8 {
            for p in 0..<kc {
                let src = UnsafeRawPointer(b.base + (p &* b.ld &+ j0))
                let o = UnsafeMutableRawPointer(out + p &* nr)
                o.storeBytes(of: src.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            }
        } else {
            for p in 0..<kc {
                let src = b.base + (p &* b.ld &+ j0)
                for jj in 0..<cols { out[p &* nr &+ jj] = src[jj] }
                for jj in cols..<nr { out[p &* nr &+ jj] = 0 }
            }
        }
        out += nr &* kc
        j0 &+= nr
    }
}

/// Reusable, 64-byte aligned packing buffers, one per concurrently running GEMM worker.
///
/// Allocating them per call would cost a fresh `mmap` and a page fault per 4 KB on every
/// multiply, which is a visible fraction of a millisecond-sized GEMM.
final class PackBufferPool: @unchecked Sendable {
    /// One worker's pair of buffers.
    struct Buffers {
        let a: UnsafeMutablePointer<Float>
        let b: UnsafeMutablePointer<Float>
        /// The accumulators of one wide tile (6×32), 64-byte aligned.
        let tile: UnsafeMutablePointer<Float>
    }

    static let shared = PackBufferPool()

    private let lock = NSLock()
    private var free: [Buffers] = []
    private let aCount = GEMMBlocking.mc * GEMMBlocking.kc * packedACopies
    private let bCount = GEMMBlocking.kc * GEMMBlocking.nc
    private static let tileCount = 6 * 32

    func take() -> Buffers {
        lock.lock()
        if let buffers = free.popLast() { lock.unlock(); return buffers }
        lock.unlock()
        let a = UnsafeMutableRawPointer.allocate(byteCount: aCount * 4, alignment: 64)
        let b = UnsafeMutableRawPointer.allocate(byteCount: bCount * 4, alignment: 64)
        let tile = UnsafeMutableRawPointer.allocate(byteCount: Self.tileCount * 4, alignment: 64)
        return Buffers(a: a.bindMemory(to: Float.self, capacity: aCount),
                       b: b.bindMemory(to: Float.self, capacity: bCount),
                       tile: tile.bindMemory(to: Float.self, capacity: Self.tileCount))
    }

    func give(_ buffers: Buffers) {
        lock.lock()
        free.append(buffers)
        lock.unlock()
    }
}
