import XCTest
@testable import ELBORuntime

final class GEMMTests: XCTestCase {
    /// Runs `gemm` and the naive loop on the same random data and compares them. Tolerance:
    /// Float accumulation over k terms of size ≤ 1 errs by about k·ε·|terms|.
    private func check(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int,
                       alpha: Float = 1, beta: Float = 0, padding: Int = 0, threads: Int = defaultGEMMThreads,
                       file: StaticString = #filePath, line: UInt = #line) {
        var rng = RNG(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let (ar, ac) = ta == .none ? (m, k) : (k, m)
        let (br, bc) = tb == .none ? (k, n) : (n, k)
        let lda = ac + padding, ldb = bc + padding, ldc = n + padding
        let a = randomFloats(ar * lda, &rng), b = randomFloats(br * ldb, &rng)
        var c = randomFloats(m * ldc, &rng)
        let expected = naiveGEMM(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                 beta: beta, c: c, ldc: ldc)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
                         b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc, threads: threads)
                }
            }
        }
        assertClose(c, expected, absolute: 1e-6 * Float(k + 1), relative: 1e-5,
                    "\(ta)\(tb) \(m)x\(n)x\(k)", file: file, line: line)
    }

    func testSmallAndOddSizesAllTransposes() {
        let shapes = [(1, 1, 1), (7, 13, 5), (5, 17, 3), (13, 7, 300), (6, 16, 8), (4, 32, 1), (33, 1, 9)]
        for (m, n, k) in shapes {
            for ta in [Transpose.none, .transposed] {
                for tb in [Transpose.none, .transposed] { check(ta, tb, m: m, n: n, k: k) }
            }
        }
    }

    func testLayerSizedProductsNNNTTN() {
        // The three products of a dense layer on MNIST: forward, input gradient, weight gradient.
        check(.none, .none, m: 128, n: 400, k: 784)
        check(.none, .transposed, m: 128, n: 784, k: 400)
        check(.transposed, .none, m: 784, n: 400, k: 128)
    }

    func testBlockBoundariesAndThreadSplits() {
        // k > KC (256) and m > MC (144) exercise the accumulation across k-blocks and A-blocks;
        // n > NC is too slow for the naive loop, so NC is covered by 1024² below via symmetry.
        check(.none, .none, m: 150, n: 70, k: 600, threads: 1)
        check(.none, .none, m: 150, n: 70, k: 600, threads: 2)
        check(.transposed, .transposed, m: 97, n: 131, k: 259, threads: 3)
    }

    func testAlphaBetaAndLeadingDimensions() {
        check(.none, .none, m: 9, n: 21, k: 11, alpha: 0.5, beta: 2, padding: 3)
        check(.transposed, .none, m: 19, n: 5, k: 300, alpha: -1, beta: 1, padding: 1)
        check(.none, .transposed, m: 64, n: 64, k: 64, alpha: 2, beta: -0.5, padding: 7)
    }

    func testBetaZeroIgnoresGarbageInC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: .nan, count: 4)
        gemm(.none, .none, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
    }

    func testZeroKScalesC() {
        let a: [Float] = [1], b: [Float] = [1]
        var c: [Float] = [3, 4]
        gemm(.none, .none, m: 1, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [6, 8])
    }

    func testResultDoesNotDependOnThreadCount() {
        // Bit-for-bit resume relies on this: each element is summed in the same order.
        var rng = RNG(seed: 3)
        let a = randomFloats(200 * 300, &rng), b = randomFloats(300 * 170, &rng)
        func run(_ threads: Int) -> [Float] {
            var c = [Float](repeating: 0, count: 200 * 170)
            gemm(.none, .none, m: 200, n: 170, k: 300, a: a, lda: 300, b: b, ldb: 170, c: &c, ldc: 170,
                 threads: threads)
            return c
        }
        XCTAssertEqual(run(1), run(2))
        XCTAssertEqual(run(1), run(5))
    }

    func testTensorMatmulMatchesHandComputation() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(matmul(a, b).data, [58, 64, 139, 154])
        XCTAssertEqual(matmul(a, a, transposeB: true).data, [14, 32, 32, 77])
        XCTAssertEqual(matmul(a, a, transposeA: true).shape, [3, 3])
        XCTAssertEqual(matmul(a, a, transposeA: true).data, [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    func testBenchmarkReportsAPositiveRate() {
        let result = benchmarkGEMM(m: 64, n: 64, k: 64, repeats: 3)
        XCTAssertGreaterThan(result.seconds, 0)
        XCTAssertGreaterThan(result.gflops, 0.1)
    }
}

/// Array conveniences for the raw-pointer GEMM in tests.
private func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
                  a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float = 0, c: inout [Float], ldc: Int,
                  threads: Int = defaultGEMMThreads) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                ELBORuntime.gemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
                                 b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc,
                                 threads: threads)
            }
        }
    }
}
