import Foundation
import XCTest
@testable import ELBORuntime

/// Test-only model: linear regression y ≈ x·w + b with mean squared error, where the last
/// input column is the target. Inputs get a little Gaussian noise from the trainer's RNG, so
/// an exact resume also depends on the generator being restored.
private struct LinearRegression: TrainableModel {
    var layer: Dense
    let features: Int
    var inputNoise: Float = 0.01
    /// Returns NaN from this step on (counted from 1), to test divergence handling.
    var poisonFromStep: Int?
    /// Raises the interrupt flag during this step (counted from 1).
    var interruptAtStep: Int?
    var steps = 0

    init(features: Int, seed: UInt64) {
        var rng = RNG(seed: seed)
        self.features = features
        layer = Dense(inputSize: features, outputSize: 1, rng: &rng)
    }

    var parameterNames: [String] { ["weight", "bias"] }

    var parameters: [Tensor] {
        get { [layer.weight, layer.bias] }
        set { layer = Dense(weight: newValue[0], bias: newValue[1]) }
    }

    mutating func updateParameters(_ body: (Int, inout Tensor, Tensor) -> Void) {
        body(0, &layer.weight, layer.weightGradient)
        body(1, &layer.bias, layer.biasGradient)
    }

    private func split(_ batch: Batch) -> (x: Tensor, t: [Float]) {
        let n = batch.count, d = features
        var x = Tensor(zeros: [n, d])
        var t = [Float](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<d { x.data[i * d + j] = batch.inputs.data[i * (d + 1) + j] }
            t[i] = batch.inputs.data[i * (d + 1) + d]
        }
        return (x, t)
    }

    mutating func trainStep(batch: Batch, rng: inout RNG) -> Float {
        steps += 1
        if steps == interruptAtStep { InterruptFlag.shared.set() }
        var (x, t) = split(batch)
        for i in x.data.indices { x.data[i] += inputNoise * rng.normalFloat() }
        layer.zeroGradients()
        let y = layer.forward(x)
        let n = Float(batch.count)
        var loss: Float = 0
        var dy = Tensor(zeros: [batch.count, 1])
        for i in 0..<batch.count {
            let r = y.data[i] - t[i]
            loss += r * r / n
            dy.data[i] = 2 * r / n
        }
        layer.accumulateGradients(dy)
        if let p = poisonFromStep, steps >= p { return .nan }
        return loss
    }

    func evaluate(batch: Batch, rng: inout RNG) -> Float {
        let (x, t) = split(batch)
        let y = layer(x)
        return zip(y.data, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(batch.count)
    }
}

/// y = 2·x₀ − 3·x₁ + 0.5·x₂ + 1 + small noise.
private func regressionData(_ n: Int, seed: UInt64) -> Dataset {
    var rng = RNG(seed: seed)
    var data: [Float] = []
    for _ in 0..<n {
        let x = (0..<3).map { _ in rng.normalFloat() }
        data += x + [2 * x[0] - 3 * x[1] + 0.5 * x[2] + 1 + 0.05 * rng.normalFloat()]
    }
    return Dataset(inputs: Tensor(shape: [n, 4], data: data))
}

final class TrainerTests: XCTestCase {
    private let train = regressionData(500, seed: 1)
    private let test = regressionData(200, seed: 2)

    private func configuration(epochs: Int, checkpoint: URL? = nil) -> TrainerConfiguration {
        TrainerConfiguration(epochs: epochs, batchSize: 32, seed: 99, optimizer: Adam(learningRate: 0.05),
                             checkpointURL: checkpoint, evaluationBatchSize: 64, showProgress: false)
    }

    private func trainer(epochs: Int, checkpoint: URL? = nil, model: LinearRegression? = nil) -> Trainer<LinearRegression> {
        let t = Trainer(model: model ?? LinearRegression(features: 3, seed: 5),
                        configuration: configuration(epochs: epochs, checkpoint: checkpoint))
        t.log = { _ in }
        return t
    }

    override func tearDown() {
        InterruptFlag.shared.reset()
    }

    func testLossDecreasesAndTheModelLearnsTheCoefficients() throws {
        let t = trainer(epochs: 15)
        XCTAssertEqual(try t.fit(train: train, test: test), .completed)
        let history = t.state.history
        XCTAssertEqual(history.count, 15)
        XCTAssertEqual(history.map { $0.epoch }, Array(1...15))
        XCTAssertLessThan(history.last!.trainLoss, history.first!.trainLoss / 10)
        XCTAssertLessThan(history.last!.testLoss!, 0.02)
        XCTAssertEqual(t.state.step, 15 * 16) // 500 examples in batches of 32
        let w = t.model.layer.weight.data, b = t.model.layer.bias.data[0]
        assertClose(w.map(Double.init) + [Double(b)], [2, -3, 0.5, 1], absolute: 0.05)
    }

    private func assertClose(_ a: [Double], _ b: [Double], absolute: Double, file: StaticString = #filePath, line: UInt = #line) {
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: absolute, file: file, line: line) }
    }

    private func assertBitIdentical(_ a: Trainer<LinearRegression>, _ b: Trainer<LinearRegression>,
                                    file: StaticString = #filePath, line: UInt = #line) {
        for (p, q) in zip(a.model.parameters, b.model.parameters) {
            XCTAssertEqual(p.data.map { $0.bitPattern }, q.data.map { $0.bitPattern }, file: file, line: line)
        }
        XCTAssertEqual(a.optimizerStates, b.optimizerStates, file: file, line: line)
        XCTAssertEqual(a.state.rng, b.state.rng, file: file, line: line)
        XCTAssertEqual(a.state.history.map { $0.trainLoss }, b.state.history.map { $0.trainLoss }, file: file, line: line)
        XCTAssertEqual(a.state.history.map { $0.testLoss }, b.state.history.map { $0.testLoss }, file: file, line: line)
        XCTAssertEqual(a.state.step, b.state.step, file: file, line: line)
    }

    func testResumeAfterAnEpochIsBitForBit() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = trainer(epochs: 2)
        XCTAssertEqual(try straight.fit(train: train, test: test), .completed)

        let url = dir.appendingPathComponent("run.ckpt")
        let first = trainer(epochs: 1, checkpoint: url)
        XCTAssertEqual(try first.fit(train: train, test: test), .completed)
        let second = trainer(epochs: 2, checkpoint: url, model: LinearRegression(features: 3, seed: 1234))
        try second.resume(from: url)
        XCTAssertEqual(second.state.epoch, 1)
        XCTAssertEqual(try second.fit(train: train, test: test), .completed)
        assertBitIdentical(straight, second)
    }

    func testInterruptMidEpochSavesAndResumesBitForBit() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = trainer(epochs: 2)
        XCTAssertEqual(try straight.fit(train: train, test: test), .completed)

        let url = dir.appendingPathComponent("run.ckpt")
        var model = LinearRegression(features: 3, seed: 5)
        model.interruptAtStep = 21 // the fifth batch of the second epoch
        let interrupted = trainer(epochs: 2, checkpoint: url, model: model)
        interrupted.interruptFlag = InterruptFlag.shared
        XCTAssertEqual(try interrupted.fit(train: train, test: test), .interrupted)
        XCTAssertEqual(interrupted.state.epoch, 1)
        XCTAssertEqual(interrupted.state.batchInEpoch, 5)
        InterruptFlag.shared.reset()

        let mismatched = trainer(epochs: 2, checkpoint: url)
        try mismatched.resume(from: url)
        XCTAssertThrowsError(try mismatched.fit(train: train.prefix(400), test: test)) { error in
            guard case .incompatible = error as? CheckpointError else { return XCTFail("\(error)") }
        }

        let resumed = trainer(epochs: 2, checkpoint: url)
        try resumed.resume(from: url)
        XCTAssertEqual(resumed.state.batchInEpoch, 5)
        XCTAssertEqual(try resumed.fit(train: train, test: test), .completed)
        assertBitIdentical(straight, resumed)
    }

    func testNonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("run.ckpt")
        var model = LinearRegression(features: 3, seed: 5)
        model.poisonFromStep = 20 // inside the second epoch
        let t = trainer(epochs: 3, checkpoint: url, model: model)
        let outcome = try t.fit(train: train, test: test)
        guard case .diverged(epoch: 2, step: 20, let loss) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(loss.isNaN)
        // The failed step was not applied: the parameters are finite, and the checkpoint on
        // disk is the one from the end of epoch 1.
        XCTAssertTrue(t.model.parameters.allSatisfy { $0.isFinite })
        let saved = try Checkpoint.load(from: url).decodeMetadata(TrainingState.self)
        XCTAssertEqual(saved.epoch, 1)
        XCTAssertEqual(saved.step, 16)
        XCTAssertEqual(saved.history.count, 1)
    }

    func testResumeRefusesAnIncompatibleCheckpoint() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("run.ckpt")
        XCTAssertEqual(try trainer(epochs: 1, checkpoint: url).fit(train: train), .completed)
        let other = Trainer(model: LinearRegression(features: 3, seed: 5),
                            configuration: TrainerConfiguration(epochs: 2, batchSize: 16, seed: 99, showProgress: false))
        XCTAssertThrowsError(try other.resume(from: url)) { error in
            guard case .incompatible = error as? CheckpointError else { return XCTFail("\(error)") }
        }
        let wider = trainer(epochs: 2, checkpoint: url, model: LinearRegression(features: 4, seed: 5))
        XCTAssertThrowsError(try wider.resume(from: url)) { error in
            guard case .shapeMismatch(_, "param.weight", [4, 1], [3, 1]) = error as? CheckpointError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testEvaluationIsRepeatableAndDoesNotDisturbTraining() {
        let t = trainer(epochs: 0)
        let before = t.state.rng
        XCTAssertEqual(t.evaluate(test, epoch: 3), t.evaluate(test, epoch: 3))
        XCTAssertEqual(t.state.rng, before)
    }
}
