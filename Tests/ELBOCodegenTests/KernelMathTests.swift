import Foundation
import XCTest
import ELBORuntime

/// The eight-lane Float functions generated code calls, against the C library.
final class KernelMathTests: XCTestCase {
    /// Max relative error of `f` against `reference` over `xs`, eight at a time.
    func maxRelativeError(_ xs: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>, _ reference: (Double) -> Double) -> Double {
        var worst = 0.0
        var i = 0
        while i + 8 <= xs.count {
            var v = SIMD8<Float>()
            for l in 0..<8 { v[l] = xs[i + l] }
            let r = f(v)
            for l in 0..<8 {
                let exact = reference(Double(xs[i + l]))
                worst = max(worst, Swift.abs(Double(r[l]) - exact) / max(Swift.abs(exact), 1e-37))
            }
            i += 8
        }
        return worst
    }

    func grid(_ lo: Float, _ hi: Float, _ n: Int = 4096) -> [Float] {
        (0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) }
    }

    func testAccuracyOnTheirRanges() {
        XCTAssertLessThan(maxRelativeError(grid(-87, 88), KernelMath.exp, Foundation.exp), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(-87, 87), KernelMath.expNegAbs, { Foundation.exp(-Swift.abs($0)) }), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(1e-30, 1e4) + grid(1e-6, 2), KernelMath.log, Foundation.log), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(-0.9, 10) + grid(-1e-6, 1e-6), KernelMath.log1p, Foundation.log1p), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(-20, 20) + grid(-1e-6, 1e-6), KernelMath.expm1, Foundation.expm1), 5e-7)
        XCTAssertLessThan(maxRelativeError(grid(0, 1) + grid(1e-30, 1e-20), KernelMath.log1pUnit, Foundation.log1p), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(1e-20, 1e20), KernelMath.sqrt, { $0.squareRoot() }), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(-60, 60), KernelMath.softplus, { max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }), 3e-7)
        XCTAssertLessThan(maxRelativeError(grid(-60, 60), KernelMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }), 3e-7)
    }

    func testEdgeCases() {
        let x = SIMD8<Float>(0, -0.5, .infinity, -.infinity, .nan, 100, -100, 1e-38)
        let e = KernelMath.exp(x)
        XCTAssertEqual(e[0], 1)
        XCTAssertEqual(e[2], .infinity)
        XCTAssertEqual(e[3], 0)
        XCTAssert(e[4].isNaN)
        XCTAssertEqual(e[5], .infinity)
        XCTAssertEqual(e[6], 0)
        let ena = KernelMath.expNegAbs(x)
        XCTAssertEqual(ena[0], 1)
        XCTAssertEqual(ena[1], Float(Foundation.exp(-0.5)), accuracy: 1e-7)
        // Far out, e^−|x| stays at the smallest normal Float instead of going subnormal.
        for l in [2, 3, 5, 6] {
            XCTAssert(ena[l] >= Float.leastNormalMagnitude && ena[l] < 1.1 * Float.leastNormalMagnitude, "lane \(l): \(ena[l])")
        }
        XCTAssert(ena[4].isNaN)
        XCTAssertEqual(ena[7], 1)
        let l = KernelMath.log(x)
        XCTAssertEqual(l[0], -.infinity)
        XCTAssert(l[1].isNaN)
        XCTAssertEqual(l[2], .infinity)
        XCTAssert(l[4].isNaN)
        let s = KernelMath.sqrt(x)
        XCTAssertEqual(s[0], 0)
        XCTAssertEqual(s[2], .infinity)
        XCTAssert(s[1].isNaN)
        // Safe forms at ±50 stay finite and exact to Float precision.
        let big = SIMD8<Float>(50, -50, 89, -89, 30, -30, 0, 1)
        let sp = KernelMath.softplus(big), ls = KernelMath.logsigmoid(big), sg = KernelMath.sigmoid(big)
        for l in 0..<8 {
            XCTAssert(sp[l].isFinite && ls[l].isFinite && sg[l].isFinite, "lane \(l)")
        }
        XCTAssertEqual(sp[0], 50)
        XCTAssertEqual(sp[1], Float(Foundation.exp(-50.0)), accuracy: 1e-27)
        XCTAssertEqual(ls[1], -50)
        // e^−89 is below the normal range; expNegAbs stays at the smallest normal Float.
        XCTAssertEqual(sg[3], Float(Foundation.exp(-89.0)), accuracy: Float.leastNormalMagnitude)
        XCTAssertEqual(KernelMath.expm1(SIMD8<Float>(repeating: 1e-8))[0], 1e-8, accuracy: 1e-15)
    }

    func testLanesAndLogSumExp() {
        let values: [Float] = (0..<13).map { Float($0) * 0.5 - 3 }
        let p = UnsafeMutablePointer<Float>.allocate(capacity: 13)
        defer { p.deallocate() }
        p.update(from: values, count: 13)
        var acc = SIMD8<Float>()
        var lse = KernelLogSumExp<Float>()
        for j in stride(from: 0, to: 13, by: 8) {
            let lanes = KernelLanes<Float>(j, 13)
            let v = lanes.load(p)
            acc += lanes.masked(v)
            lse.add(v, lanes)
            lanes.accumulate(v, p)
        }
        XCTAssertEqual(Double(acc.sum()), values.map(Double.init).reduce(0, +), accuracy: 1e-5)
        let exact = Foundation.log(values.map { Foundation.exp(Double($0)) }.reduce(0, +))
        XCTAssertEqual(Double(lse.value), exact, accuracy: 1e-5)
        for j in 0..<13 { XCTAssertEqual(p[j], 2 * values[j]) }
        var empty = KernelLogSumExp<Double>()
        XCTAssertEqual(empty.value, -.infinity)
        empty.add(1000)
        empty.add(1000)
        XCTAssertEqual(empty.value, 1000 + Foundation.log(2), accuracy: 1e-12)
    }

    func testParallelChunksAreDeterministicAndComplete() {
        let batch = 77
        let g = UnsafeMutablePointer<Double>.allocate(capacity: 3)
        defer { g.deallocate() }
        g.initialize(repeating: 0, count: 3)
        let total = KernelParallel.forEachChunk(batch: batch, paramGradients: [(g, 3)]) { range, buffers in
            for e in range { for i in 0..<3 { buffers[0][i] += Double(e * (i + 1)) } }
            return Double(range.reduce(0, +))
        }
        XCTAssertEqual(total, Double((0..<batch).reduce(0, +)))
        for i in 0..<3 { XCTAssertEqual(g[i], Double((0..<batch).reduce(0, +) * (i + 1))) }
    }
}
