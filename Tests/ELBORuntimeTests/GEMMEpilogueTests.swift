import XCTest
@testable import ELBORuntime

/// The fused epilogues of `gemm` give exactly (to the bit) what the separate passes they
/// replace give: the bias written into C first and the product accumulated onto it, then ReLU;
/// the product, then multiplied by ReLU's derivative read from its output.
final class GEMMEpilogueTests: XCTestCase {
    private func product(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, a: [Float], b: [Float],
                         beta: Float, c: inout [Float], epilogue: GEMMEpilogue = .none, threads: Int) {
        let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(ta, tb, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                         beta: beta, c: pc.baseAddress!, ldc: n, epilogue: epilogue, threads: threads)
                }
            }
        }
    }

    /// Shapes with edges in both directions, k across several blocks of 256, and splits over threads.
    let shapes = [(7, 13, 5), (13, 37, 300), (128, 40, 400), (150, 70, 600), (128, 400, 20), (33, 1, 9)]

    func testBiasAndReLUMatchSeparatePasses() {
        for (m, n, k) in shapes {
            for threads in [1, 2] {
                var rng = RNG(seed: UInt64(m * 7919 + n * 31 + k))
                let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng), bias = randomFloats(n, &rng)
                var separate = (0..<m).flatMap { _ in bias }
                product(.none, .none, m: m, n: n, k: k, a: a, b: b, beta: 1, c: &separate, threads: threads)
                var fused = [Float](repeating: .nan, count: m * n)  // beta 0 with a bias must not read C
                bias.withUnsafeBufferPointer { pb in
                    product(.none, .none, m: m, n: n, k: k, a: a, b: b, beta: 0, c: &fused,
                            epilogue: GEMMEpilogue(bias: pb.baseAddress!), threads: threads)
                }
                XCTAssertEqual(fused.map(\.bitPattern), separate.map(\.bitPattern), "bias \(m)x\(n)x\(k), \(threads) threads")
                var fusedReLU = [Float](repeating: .nan, count: m * n)
                bias.withUnsafeBufferPointer { pb in
                    product(.none, .none, m: m, n: n, k: k, a: a, b: b, beta: 0, c: &fusedReLU,
                            epilogue: GEMMEpilogue(bias: pb.baseAddress!, relu: true), threads: threads)
                }
                let relu = separate.map { Activation.relu.value($0) }
                XCTAssertEqual(fusedReLU.map(\.bitPattern), relu.map(\.bitPattern), "relu \(m)x\(n)x\(k), \(threads) threads")
                XCTAssertTrue(relu.contains(0) && relu.contains { $0 > 0 }, "the data exercise both sides of ReLU")
            }
        }
    }

    func testGateMatchesReLUBackwardFromItsOutput() {
        for (m, n, k) in shapes {
            for threads in [1, 2] {
                var rng = RNG(seed: UInt64(m * 104_729 + n * 17 + k))
                let a = randomFloats(m * k, &rng), b = randomFloats(n * k, &rng)
                let preActivation = randomFloats(m * n, &rng)
                let output = preActivation.map { Activation.relu.value($0) }
                var plain = [Float](repeating: 0, count: m * n)
                product(.none, .transposed, m: m, n: n, k: k, a: a, b: b, beta: 0, c: &plain, threads: threads)
                let separate = Activation.relu.backward(Tensor(shape: [m, n], data: plain),
                                                        input: Tensor(shape: [m, n], data: preActivation),
                                                        output: Tensor(shape: [m, n], data: output)).data
                var fused = [Float](repeating: .nan, count: m * n)
                output.withUnsafeBufferPointer { pg in
                    product(.none, .transposed, m: m, n: n, k: k, a: a, b: b, beta: 0, c: &fused,
                            epilogue: GEMMEpilogue(gate: pg.baseAddress!, ldGate: n), threads: threads)
                }
                XCTAssertEqual(fused.map(\.bitPattern), separate.map(\.bitPattern), "gate \(m)x\(n)x\(k), \(threads) threads")
            }
        }
    }

    func testAReadInPlaceGivesTheSameBitsAsAPackedTranspose() {
        // op(A) = A is read where it is stored; the same logical A stored transposed is packed.
        // Both do the same operations in the same order.
        for (m, n, k) in shapes + [(128, 784, 400), (5, 16, 1)] {
            for threads in [1, 2] {
                var rng = RNG(seed: UInt64(m * 31 + n * 7 + k))
                let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng)
                var aT = [Float](repeating: 0, count: m * k)
                for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
                var inPlace = [Float](repeating: .nan, count: m * n)
                product(.none, .none, m: m, n: n, k: k, a: a, b: b, beta: 0, c: &inPlace, threads: threads)
                var packed = [Float](repeating: .nan, count: m * n)
                product(.transposed, .none, m: m, n: n, k: k, a: aT, b: b, beta: 0, c: &packed, threads: threads)
                XCTAssertEqual(inPlace.map(\.bitPattern), packed.map(\.bitPattern), "\(m)x\(n)x\(k), \(threads) threads")
            }
        }
    }

    func testEpilogueWithEmptyProduct() {
        // k = 0: the product is zero, so C is the bias (then ReLU).
        let bias: [Float] = [-1, 0.5, 2, -0.25, 3, 1, -2, 4, 0, 1, 2, 3, 4, 5, 6, 7, -8]
        var c = [Float](repeating: .nan, count: 2 * bias.count)
        bias.withUnsafeBufferPointer { pb in
            product(.none, .none, m: 2, n: bias.count, k: 0, a: [0], b: [0], beta: 0, c: &c,
                    epilogue: GEMMEpilogue(bias: pb.baseAddress!, relu: true), threads: 1)
        }
        XCTAssertEqual(c, (bias + bias).map { max($0, 0) })
    }
}
