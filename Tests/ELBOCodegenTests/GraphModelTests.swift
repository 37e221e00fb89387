import Foundation
import XCTest
import ELBORuntime
import GeneratedKernels

/// The model the runtime assembles around a generated kernel: it learns, and its gradient
/// (through networks, samplers and the kernel) matches finite differences of its loss.
final class GraphModelTests: XCTestCase {
    /// 64 binary 4×4 images built from four prototypes with flipped pixels.
    func tinyData(seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        let prototypes: [[Float]] = (0..<4).map { _ in (0..<16).map { _ in rng.uniformFloat() < 0.5 ? 1 : 0 } }
        var data: [Float] = []
        for i in 0..<64 {
            data += prototypes[i % 4].map { rng.uniformFloat() < 0.05 ? 1 - $0 : $0 }
        }
        return Dataset(inputs: Tensor(shape: [64, 16], data: data))
    }

    func testAFewAdamStepsReduceTheLoss() throws {
        var rng = RNG(seed: 1)
        var model = try GraphModel<BernoulliVAEFixture>(dims: ["k": 16, "m": 2], hidden: [12], rng: &rng)
        XCTAssertEqual(model.steps, [.network(0), .sampler(0), .network(1)])
        let batch = tinyData(seed: 2).batch(Array(0..<64))
        var eval = RNG(seed: 9)
        let before = model.evaluate(batch: batch, rng: &eval)
        let adam = Adam(learningRate: 0.02)
        var states = model.parameters.map { AdamState(shape: $0.shape) }
        for _ in 0..<60 {
            let loss = model.trainStep(batch: batch, rng: &rng)
            XCTAssert(loss.isFinite)
            model.updateParameters { i, p, g in adam.step(&p, gradient: g, state: &states[i]) }
        }
        eval = RNG(seed: 9)
        let after = model.evaluate(batch: batch, rng: &eval)
        XCTAssertLessThan(after, 0.8 * before, "loss \(before) → \(after)")
    }

    func testModelGradientMatchesFiniteDifferences() throws {
        // The mixture-prior kernel reads the sample, so gradients flow through both networks,
        // the sampler and the kernel's own parameters.
        var rng = RNG(seed: 3)
        var model = try GraphModel<MixturePriorFixture>(dims: ["k": 16, "m": 3, "K": 2], hidden: [8], rng: &rng)
        var p = model.parameters
        p[p.count - 2] = Tensor(shape: [2, 3], data: [0.5, -0.2, 0.1, -0.4, 0.3, 0.2])  // separate the components
        model.parameters = p
        let batch = tinyData(seed: 4).batch(Array(0..<8))
        var noise = RNG(seed: 5)
        _ = model.trainStep(batch: batch, rng: &noise)
        var analytic: [[Float]] = []
        model.updateParameters { _, _, g in analytic.append(g.data) }
        let names = model.parameterNames
        var checked = 0
        for (t, name) in names.enumerated() {
            // The largest gradient entry of each tensor, against a central difference in Float.
            guard let i = analytic[t].indices.max(by: { Swift.abs(analytic[t][$0]) < Swift.abs(analytic[t][$1]) }),
                  Swift.abs(analytic[t][i]) > 1e-3 else { continue }
            let h: Float = 2e-3
            func loss(_ delta: Float) -> Float {
                var m = model
                var params = m.parameters
                params[t].data[i] += delta
                m.parameters = params
                var r = RNG(seed: 5)
                return m.evaluate(batch: batch, rng: &r)
            }
            let numeric = (loss(h) - loss(-h)) / (2 * h)
            XCTAssertEqual(analytic[t][i], numeric, accuracy: 0.03 * Swift.abs(numeric) + 2e-3, name)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 8, "checked \(checked) of \(names)")
    }

    func testDownsampleAndErrors() throws {
        let x = Tensor(shape: [1, 16], data: (0..<16).map(Float.init))
        XCTAssertEqual(KernelTransforms.downsample2x2(x).data, [2.5, 4.5, 10.5, 12.5])
        var rng = RNG(seed: 1)
        XCTAssertThrowsError(try GraphModel<BernoulliVAEFixture>(dims: ["k": 16], rng: &rng)) { error in
            XCTAssertEqual(error as? GraphModelError, .missingDimension("m", kernel: "BernoulliVAEFixture"))
        }
        XCTAssertThrowsError(try KernelTransforms.validate("blur", output: "y", inputWidth: 16, outputWidth: 4))
        XCTAssertThrowsError(try KernelTransforms.validate("downsample2x2", output: "y", inputWidth: 16, outputWidth: 5))
    }
}
