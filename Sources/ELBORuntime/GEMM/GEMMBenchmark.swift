import Dispatch

/// Times `gemm` on random m×k and k×n matrices.
///
/// One untimed warm-up call fills the packing buffers and caches; then `repeats` calls are
/// timed together. Returns the mean seconds per call and the rate in GFLOP/s (2·m·n·k flops
/// per call).
public func benchmarkGEMM(
    m: Int, n: Int, k: Int, repeats: Int,
    transA: Transpose = .none, transB: Transpose = .none,
    threads: Int = defaultGEMMThreads
) -> (seconds: Double, gflops: Double) {
    precondition(m > 0 && n > 0 && k > 0 && repeats > 0, "benchmarkGEMM: sizes must be positive")
    var rng = RNG(seed: 42)
    let a = (0..<(m * k)).map { _ in rng.uniformFloat() - 0.5 }
    let b = (0..<(k * n)).map { _ in rng.uniformFloat() - 0.5 }
    var c = [Float](repeating: 0, count: m * n)
    let lda = transA == .none ? k : m
    let ldb = transB == .none ? n : k
    func run() {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(transA, transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda,
                         b: pb.baseAddress!, ldb: ldb, c: pc.baseAddress!, ldc: n, threads: threads)
                }
            }
        }
    }
    run()
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<repeats { run() }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let seconds = elapsed / Double(repeats)
    return (seconds, 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9)
}
