import Dispatch
import Foundation

/// Splits a kernel's loop over examples into fixed chunks run on all cores.
///
/// Results do not depend on the number of threads: chunks are always `examplesPerChunk`
/// examples, each adds its parameter gradients into a private zeroed buffer, and the chunk
/// totals and buffers are combined in chunk order. (Per-example gradients are rows of their
/// own, so chunks never write the same scalar.)
public enum KernelParallel {
    /// Examples per chunk.
    public static let examplesPerChunk = 16
    /// Threads to use (all cores, as the matrix multiply).
    public static let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on consecutive ranges of `0..<batch` and returns the sum of what it
    /// returns, in order. `paramGradients` are (buffer, count) pairs the body adds into; it
    /// receives the buffers to use for its chunk, in the same order.
    @inlinable
    public static func forEachChunk<T: KernelScalar>(
        batch: Int, paramGradients: [(UnsafeMutablePointer<T>, Int)],
        _ body: (Range<Int>, [UnsafeMutablePointer<T>]) -> Double
    ) -> Double {
        let chunks = (batch + examplesPerChunk - 1) / examplesPerChunk
        if chunks <= 1 { return body(0..<batch, paramGradients.map(\.0)) }
        let scratch = paramGradients.map { UnsafeMutablePointer<T>.allocate(capacity: max($0.1, 1) * chunks) }
        defer { for s in scratch { s.deallocate() } }
        for (s, (_, n)) in zip(scratch, paramGradients) { s.initialize(repeating: 0, count: max(n, 1) * chunks) }
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        defer { totals.deallocate() }
        func run(_ c: Int) {
            let range = (c * examplesPerChunk)..<min(batch, (c + 1) * examplesPerChunk)
            let buffers = zip(scratch, paramGradients).map { s, g in s + c * max(g.1, 1) }
            totals[c] = body(range, buffers)
        }
        if threads == 1 {
            for c in 0..<chunks { run(c) }
        } else {
            // One contiguous block of chunks per thread, handed out once (the chunks' results
            // do not depend on which thread ran them: totals are combined in chunk order).
            let parts = min(threads, chunks)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for c in (part * chunks / parts)..<((part + 1) * chunks / parts) { run(c) }
            }
        }
        var total = 0.0
        for c in 0..<chunks {
            total += totals[c]
            for (s, (g, n)) in zip(scratch, paramGradients) {
                for i in 0..<n { g[i] += s[c * max(n, 1) + i] }
            }
        }
        return total
    }
}

extension KernelParallel {
    /// `forEachChunk` for a body that adds into no shared buffer.
    @inlinable
    public static func forEachChunk(batch: Int, _ body: (Range<Int>) -> Double) -> Double {
        forEachChunk(batch: batch, paramGradients: [] as [(UnsafeMutablePointer<Float>, Int)]) { range, _ in body(range) }
    }
}
