import Foundation
import XCTest
@testable import ELBORuntime

final class LayerTests: XCTestCase {
    func testDenseInitialisationFollowsPyTorchBounds() {
        var rng = RNG(seed: 1)
        let layer = Dense(inputSize: 400, outputSize: 300, rng: &rng)
        let bound: Float = 1 / 20
        XCTAssertLessThanOrEqual(layer.weight.maxAbs(), bound)
        XCTAssertLessThanOrEqual(layer.bias.maxAbs(), bound)
        // 120,000 uniform draws: the extremes reach the bound and the mean and variance match
        // U(−b, b) (variance b²/3) to within sampling error.
        XCTAssertGreaterThan(layer.weight.maxAbs(), 0.999 * bound)
        XCTAssertEqual(layer.weight.mean(), 0, accuracy: 3e-4)
        let variance: Double = layer.weight.map { $0 * $0 }.mean()
        let expected: Double = Double(bound) * Double(bound) / 3
        assertClose(variance, expected, relative: 0.02)
    }

    func testDenseForwardAndBackwardMatchHandFormulas() {
        let w = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2], data: [0.5, -1])
        var layer = Dense(weight: w, bias: b)
        let x = Tensor(shape: [2, 3], data: [1, 0, -1, 2, 1, 0])
        let y = layer.forward(x)
        // Rows: x·W + b = [1−5, 2−6] + b and [2+3, 4+4] + b.
        XCTAssertEqual(y.data, [-3.5, -5, 5.5, 7])
        let dy = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let dx = layer.backward(dy)
        // dX = dY·Wᵀ, dW = Xᵀ·dY, db = column sums of dY.
        XCTAssertEqual(dx.data, [5, 11, 17, 11, 25, 39])
        XCTAssertEqual(layer.weightGradient.data, [7, 10, 3, 4, -1, -2])
        XCTAssertEqual(layer.biasGradient.data, [4, 6])
        // Gradients accumulate until cleared.
        _ = layer.backward(dy)
        XCTAssertEqual(layer.biasGradient.data, [8, 12])
        layer.zeroGradients()
        XCTAssertEqual(layer.weightGradient.data, [0, 0, 0, 0, 0, 0])
    }

    func testActivationsAreNumericallySafe() {
        XCTAssertEqual(Activation.softplus.value(100), 100)
        XCTAssertEqual(Activation.softplus.value(-100), Float(exp(-100.0)), accuracy: .leastNonzeroMagnitude)
        XCTAssertEqual(Activation.softplus.value(0), Float(log(2.0)), accuracy: 1e-7)
        XCTAssertEqual(Activation.sigmoid.value(100), 1)
        XCTAssertEqual(Activation.sigmoid.value(-100), Float(exp(-100.0)), accuracy: .leastNonzeroMagnitude)
        XCTAssertEqual(Activation.sigmoid.value(0), 0.5)
        XCTAssertEqual(Activation.relu.value(-2), 0)
        XCTAssertEqual(Activation.tanh.value(1), Float(tanh(1.0)), accuracy: 1e-7)
        for a in Activation.allCases {
            for x: Float in [-1e4, -50, 0, 50, 1e4] {
                XCTAssertTrue(a.value(x).isFinite, "\(a)(\(x))")
                XCTAssertTrue(a.derivative(input: x, output: a.value(x)).isFinite, "\(a)'(\(x))")
            }
        }
    }

    /// A Double-precision re-implementation of the MLP, independent of the runtime's Float
    /// code, differentiated by central differences.
    private func referenceLoss(_ params: [[Double]], sizes: [Int], activation: Activation,
                               x: [Double], batch: Int, r: [Double]) -> Double {
        func act(_ v: Double, _ a: Activation) -> Double {
            switch a {
            case .relu: return max(v, 0)
            case .sigmoid: return 1 / (1 + exp(-v))
            case .tanh: return tanh(v)
            case .softplus: return log1p(exp(v))
            case .identity: return v
            }
        }
        var h = x
        for l in 0..<(sizes.count - 1) {
            let (i, o) = (sizes[l], sizes[l + 1])
            let w = params[2 * l], b = params[2 * l + 1]
            var next = [Double](repeating: 0, count: batch * o)
            for n in 0..<batch {
                for j in 0..<o {
                    var s = b[j]
                    for k in 0..<i { s += h[n * i + k] * w[k * o + j] }
                    next[n * o + j] = act(s, l == sizes.count - 2 ? .identity : activation)
                }
            }
            h = next
        }
        return zip(h, r).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func testMLPGradientsMatchFiniteDifferencesOfAnIndependentDoubleModel() {
        let sizes = [5, 4, 3], batch = 3
        for activation in [Activation.relu, .sigmoid, .tanh, .softplus] {
            var rng = RNG(seed: 7)
            var mlp = MLP(sizes: sizes, activation: activation, rng: &rng)
            let x = Tensor(shape: [batch, 5], data: randomFloats(batch * 5, &rng))
            let r = Tensor(shape: [batch, 3], data: randomFloats(batch * 3, &rng))
            _ = mlp.forward(x)
            let dx = mlp.backward(r) // loss = Σ y ⊙ r, so dL/dy = r
            var params = mlp.parameters.map { $0.data.map(Double.init) }
            let xd = x.data.map(Double.init), rd = r.data.map(Double.init)
            for (p, grad) in zip(params.indices, mlp.gradients) {
                for i in params[p].indices {
                    let keep = params[p][i], h = 1e-6
                    params[p][i] = keep + h
                    let up = referenceLoss(params, sizes: sizes, activation: activation, x: xd, batch: batch, r: rd)
                    params[p][i] = keep - h
                    let down = referenceLoss(params, sizes: sizes, activation: activation, x: xd, batch: batch, r: rd)
                    params[p][i] = keep
                    assertClose(Double(grad.data[i]), (up - down) / (2 * h), absolute: 1e-5, relative: 1e-4,
                                "\(activation) parameter \(p)[\(i)]")
                }
            }
            var xs = xd
            for i in xs.indices {
                let keep = xs[i], h = 1e-6
                xs[i] = keep + h
                let up = referenceLoss(params, sizes: sizes, activation: activation, x: xs, batch: batch, r: rd)
                xs[i] = keep - h
                let down = referenceLoss(params, sizes: sizes, activation: activation, x: xs, batch: batch, r: rd)
                xs[i] = keep
                assertClose(Double(dx.data[i]), (up - down) / (2 * h), absolute: 1e-5, relative: 1e-4,
                            "\(activation) input \(i)")
            }
        }
    }

    func testMLPParameterListAndInPlaceUpdate() {
        var rng = RNG(seed: 2)
        var mlp = MLP(sizes: [4, 3, 2], activation: .relu, rng: &rng)
        XCTAssertEqual(mlp.parameterNames, ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias"])
        XCTAssertEqual(mlp.parameters.map { $0.shape }, [[4, 3], [3], [3, 2], [2]])
        XCTAssertEqual(mlp.parameterCount, 12 + 3 + 6 + 2)
        var visited = 0
        mlp.updateParameters { p, _ in
            p.scale(by: 0)
            visited += 1
        }
        XCTAssertEqual(visited, 4)
        XCTAssertTrue(mlp.parameters.allSatisfy { $0.maxAbs() == 0 })
        let x = Tensor(shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(mlp(x).data, [0, 0, 0, 0])
        // The stateless and training forward passes agree.
        var fresh = MLP(sizes: [4, 3, 2], activation: .tanh, outputActivation: .sigmoid, rng: &rng)
        XCTAssertEqual(fresh(x), fresh.forward(x))
    }
}
