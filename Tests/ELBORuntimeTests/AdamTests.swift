import Foundation
import XCTest
@testable import ELBORuntime

final class AdamTests: XCTestCase {
    func testDefaultsArePyTorchs() {
        let adam = Adam()
        XCTAssertEqual(adam.learningRate, 1e-3)
        XCTAssertEqual(adam.beta1, 0.9)
        XCTAssertEqual(adam.beta2, 0.999)
        XCTAssertEqual(adam.epsilon, 1e-8)
        XCTAssertEqual(adam.weightDecay, 0)
    }

    func testThreeStepsMatchTheTorchFormulasComputedInDouble() {
        // Hand computation of torch.optim.Adam in Double (bias-corrected moments, eps added
        // after dividing √v by √(1−β₂ᵗ)), against the Float implementation.
        let adam = Adam(learningRate: 0.1)
        var p = Tensor(shape: [3], data: [1, -2, 0.5])
        var state = AdamState(shape: [3])
        let gradients: [[Float]] = [[0.5, -1, 0], [0.25, 2, 1e-3], [-1, 0.5, 3]]
        var ref = p.data.map(Double.init)
        var m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, g) in gradients.enumerated() {
            adam.step(&p, gradient: Tensor(shape: [3], data: g), state: &state)
            let step = Double(t + 1)
            for i in 0..<3 {
                let gi = Double(g[i])
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                let denom = v[i].squareRoot() / (1 - pow(0.999, step)).squareRoot() + 1e-8
                ref[i] -= 0.1 / (1 - pow(0.9, step)) * m[i] / denom
            }
            for i in 0..<3 { assertClose(Double(p.data[i]), ref[i], absolute: 1e-6, relative: 1e-6, "step \(t + 1) [\(i)]") }
        }
        XCTAssertEqual(state.step, 3)
        // The first step moves every parameter with a non-zero gradient by ≈ lr (m̂/√v̂ = ±1).
        var q = Tensor(shape: [2], data: [0, 0])
        var s = AdamState(shape: [2])
        adam.step(&q, gradient: Tensor(shape: [2], data: [3, -7]), state: &s)
        XCTAssertEqual(q.data[0], -0.1, accuracy: 1e-6)
        XCTAssertEqual(q.data[1], 0.1, accuracy: 1e-6)
    }

    func testVectorisedAndScalarPathsAgreeBitForBit() {
        // Elements 0…7 go through the SIMD loop, 8…10 through the scalar tail; give 8…10 the
        // same inputs as 0…2 and their results must be identical.
        let adam = Adam(learningRate: 0.01, weightDecay: 0.1)
        var rng = RNG(seed: 6)
        var head = randomFloats(8, &rng)
        var p = Tensor(shape: [11], data: head + Array(head[0..<3]))
        var state = AdamState(shape: [11])
        for _ in 0..<5 {
            head = randomFloats(8, &rng)
            adam.step(&p, gradient: Tensor(shape: [11], data: head + Array(head[0..<3])), state: &state)
        }
        for i in 0..<3 {
            XCTAssertEqual(p.data[i].bitPattern, p.data[i + 8].bitPattern)
            XCTAssertEqual(state.v.data[i].bitPattern, state.v.data[i + 8].bitPattern)
        }
    }

    func testLargeTensorsSplitAcrossThreadsGiveTheSameBitsAsSmallPieces() {
        // 200,003 elements are updated on all cores; the same values cut into pieces below the
        // threshold are updated serially, piece by piece. Every bit must agree.
        let n = 200_003, piece = 1000
        XCTAssertGreaterThan(n, Adam.parallelThreshold)
        var rng = RNG(seed: 5)
        let adam = Adam(learningRate: 0.01, weightDecay: 0.1)
        var whole = Tensor(shape: [n], data: (0..<n).map { _ in rng.normalFloat() })
        var wholeState = AdamState(shape: [n])
        var pieces = stride(from: 0, to: n, by: piece).map { Tensor(shape: [min(piece, n - $0)], data: Array(whole.data[$0..<min(n, $0 + piece)])) }
        var pieceStates = pieces.map { AdamState(shape: $0.shape) }
        for _ in 0..<3 {
            let g = (0..<n).map { _ in rng.normalFloat() }
            adam.step(&whole, gradient: Tensor(shape: [n], data: g), state: &wholeState)
            for (i, lo) in stride(from: 0, to: n, by: piece).enumerated() {
                adam.step(&pieces[i], gradient: Tensor(shape: pieces[i].shape, data: Array(g[lo..<min(n, lo + piece)])),
                          state: &pieceStates[i])
            }
        }
        XCTAssertEqual(whole.data.map(\.bitPattern), pieces.flatMap(\.data).map(\.bitPattern))
        XCTAssertEqual(wholeState.v.data.map(\.bitPattern), pieceStates.flatMap(\.v.data).map(\.bitPattern))
    }

    func testWeightDecayAddsAnL2Gradient() {
        let adam = Adam(learningRate: 0.01, weightDecay: 0.5)
        var p = Tensor(shape: [1], data: [2])
        var state = AdamState(shape: [1])
        adam.step(&p, gradient: Tensor(shape: [1], data: [0]), state: &state)
        // The effective gradient is 0 + 0.5·2 > 0, so the first step is −lr.
        XCTAssertEqual(p.data[0], 1.99, accuracy: 1e-6)
    }
}
