import XCTest
@testable import ELBORuntime

/// The wide (AVX-512, 6×32) and narrow (6×16) register tiles give the same bits for every
/// transpose, edge, block along k, epilogue and thread split, so choosing one by the CPU cannot
/// change a training run.
final class GEMMTileKernelTests: XCTestCase {
    private func product(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, a: [Float], b: [Float],
                         alpha: Float, beta: Float, c: [Float], bias: [Float]?, relu: Bool, gate: [Float]?,
                         threads: Int, tileKernel: GEMMTileKernel) -> [UInt32] {
        let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
        var out = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                (bias ?? [0]).withUnsafeBufferPointer { pbias in
                    (gate ?? [0]).withUnsafeBufferPointer { pgate in
                        out.withUnsafeMutableBufferPointer { pc in
                            let epilogue = GEMMEpilogue(bias: bias == nil ? nil : pbias.baseAddress!, relu: relu,
                                                        gate: gate == nil ? nil : pgate.baseAddress!, ldGate: n)
                            gemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!,
                                 ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: n, epilogue: epilogue, threads: threads,
                                 tileKernel: tileKernel)
                        }
                    }
                }
            }
        }
        return out.map(\.bitPattern)
    }

    func testWideAndNarrowTilesGiveTheSameBits() throws {
        try XCTSkipUnless(GEMMTileKernel.cpuHasAVX512F, "this CPU has no AVX-512: only the narrow tile runs here")
        // n from 1 to past two panels and NC-sized edges: odd panels, partial pairs, partial rows.
        let shapes = [(7, 13, 5), (6, 32, 8), (5, 17, 3), (13, 37, 300), (128, 40, 400), (150, 70, 600),
                      (128, 400, 20), (128, 400, 784), (784, 400, 128), (33, 1, 9), (19, 48, 257), (1, 33, 2)]
        for (m, n, k) in shapes {
            var rng = RNG(seed: UInt64(m * 7919 + n * 31 + k))
            let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng), c = randomFloats(m * n, &rng)
            let bias = randomFloats(n, &rng), gate = randomFloats(m * n, &rng)
            for ta in [Transpose.none, .transposed] {
                for tb in [Transpose.none, .transposed] {
                    for (alpha, beta, withBias, relu, withGate) in [(Float(1), Float(0), false, false, false),
                                                                   (0.5, 2, false, false, false),
                                                                   (1, 0, true, true, false), (1, 0, false, false, true)] {
                        for threads in [1, 2] {
                            let args = (bias: withBias ? bias : nil, gate: withGate ? gate : nil)
                            let narrow = product(ta, tb, m: m, n: n, k: k, a: a, b: b, alpha: alpha, beta: beta, c: c,
                                                 bias: args.bias, relu: relu, gate: args.gate, threads: threads, tileKernel: .narrow)
                            let wide = product(ta, tb, m: m, n: n, k: k, a: a, b: b, alpha: alpha, beta: beta, c: c,
                                               bias: args.bias, relu: relu, gate: args.gate, threads: threads, tileKernel: .wide)
                            XCTAssertEqual(wide, narrow, "\(ta)\(tb) \(m)x\(n)x\(k) alpha \(alpha) beta \(beta) "
                                           + "bias \(withBias) relu \(relu) gate \(withGate), \(threads) threads")
                        }
                    }
                }
            }
        }
    }

    func testWideTileMatchesTheNaiveProduct() throws {
        try XCTSkipUnless(GEMMTileKernel.cpuHasAVX512F, "this CPU has no AVX-512")
        // Independent of the narrow kernel: the wide tile against the triple loop.
        let (m, n, k) = (29, 75, 300)
        var rng = RNG(seed: 5)
        let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng), c = randomFloats(m * n, &rng)
        let expected = naiveGEMM(.none, .none, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 1, c: c, ldc: n)
        let wide = product(.none, .none, m: m, n: n, k: k, a: a, b: b, alpha: 1, beta: 1, c: c,
                           bias: nil, relu: false, gate: nil, threads: 1, tileKernel: .wide).map(Float.init(bitPattern:))
        assertClose(wide, expected, absolute: 1e-6 * Float(k + 1), relative: 1e-5, "wide 29x75x300")
    }
}
