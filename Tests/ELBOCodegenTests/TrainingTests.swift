import Foundation
import XCTest
import ELBORuntime
import GeneratedKernels

/// Training with a generated kernel on a small MNIST subset: the loss goes down, checkpoints
/// round-trip, a resumed run is bit-identical to an uninterrupted one, and bad data files give
/// the runtime's errors. Small layers and 512 examples keep each test well under a second.
final class TrainingTests: XCTestCase {
    /// The reference VAE's kernel once `elbo generate` has written it, else the fixture with
    /// the same loss.
    static var kernel: any ObjectiveKernel.Type {
        KernelRegistry.kernel(named: "VaeBernoulliLoss") ?? KernelRegistry.kernel(named: "BernoulliVAEFixture")!
    }

    static let train = Result { try MNIST.load(split: .train, limit: 512) }
    static let test = Result { try MNIST.load(split: .test, limit: 256) }

    /// MNIST's width for the data input, 10 classes for a label, 8 for every latent.
    static func dims(_ d: KernelDescriptor) -> [String: Int] {
        var dims: [String: Int] = [:]
        for i in d.inputs {
            guard let s = i.dimension else { continue }
            dims[s] = i.role == .data ? MNIST.pixels : i.role == .label ? 10 : dims[s]
        }
        for s in d.dimensions where dims[s] == nil { dims[s] = Int(s) ?? 8 }
        return dims
    }

    static func trainer<K: ObjectiveKernel>(_ kernel: K.Type, epochs: Int, seed: UInt64 = 7,
                                           checkpoint: URL? = nil) throws -> Trainer<GraphModel<K>> {
        var rng = RNG(seed: seed ^ 0x1A17_0000_0000_0000)
        let model = try GraphModel<K>(dims: dims(K.descriptor), hidden: [32], rng: &rng)
        let configuration = TrainerConfiguration(epochs: epochs, batchSize: 32, seed: seed, checkpointURL: checkpoint,
                                                 evaluationBatchSize: 128, showProgress: false)
        let trainer = Trainer(model: model, configuration: configuration)
        trainer.log = { _ in }
        return trainer
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    // MARK: Loss decreases

    func testLossDecreasesOverAFewEpochs() throws {
        try lossDecreases(Self.kernel)
    }

    func lossDecreases<K: ObjectiveKernel>(_ kernel: K.Type) throws {
        let trainer = try Self.trainer(K.self, epochs: 4)
        XCTAssertEqual(try trainer.fit(train: Self.train.get(), test: Self.test.get()), .completed)
        let history = trainer.state.history
        XCTAssertEqual(history.map(\.epoch), [1, 2, 3, 4])
        let train = history.map(\.trainLoss), test = history.compactMap(\.testLoss)
        XCTAssertEqual(test.count, 4)
        for (a, b) in zip(train, train.dropFirst()) { XCTAssertLessThan(b, a, "train loss per epoch \(train)") }
        XCTAssertLessThan(test.last!, test.first!, "test loss per epoch \(test)")
        // Nats per example of 784 Bernoulli pixels: below 784·log 2 ≈ 543 once anything is learnt.
        XCTAssertLessThan(test.last!, 543)
        XCTAssertGreaterThan(test.last!, 50)
    }

    // MARK: Checkpoints

    func testCheckpointRoundTrip() throws {
        try checkpointRoundTrip(Self.kernel)
    }

    func checkpointRoundTrip<K: ObjectiveKernel>(_ kernel: K.Type) throws {
        let url = try temporaryDirectory().appendingPathComponent("checkpoint.ckpt")
        let trained = try Self.trainer(K.self, epochs: 1, checkpoint: url)
        XCTAssertEqual(try trained.fit(train: Self.train.get()), .completed)

        // A model initialised differently takes on every parameter, Adam moment and counter.
        let restored = try Self.trainer(K.self, epochs: 1, checkpoint: url)
        XCTAssertNotEqual(restored.model.parameters, trained.model.parameters)
        try restored.resume(from: url)
        XCTAssertEqual(restored.model.parameters, trained.model.parameters)
        XCTAssertEqual(restored.optimizerStates, trained.optimizerStates)
        // `state.optimizerSteps` is only brought up to date when a checkpoint is taken.
        var live = trained.state
        live.optimizerSteps = trained.optimizerStates.map(\.step)
        XCTAssertEqual(restored.state, live)
        XCTAssertEqual(restored.model.parameterNames, trained.model.parameterNames)

        // The same parameters give the same loss.
        let batch = try Self.test.get().batch(Array(0..<64))
        var r1 = RNG(seed: 3), r2 = RNG(seed: 3)
        XCTAssertEqual(restored.model.evaluate(batch: batch, rng: &r1), trained.model.evaluate(batch: batch, rng: &r2))

        // The file itself round-trips bit for bit.
        let loaded = try Checkpoint.load(from: url)
        XCTAssertEqual(loaded.serialized(), try trained.checkpoint().serialized())
    }

    // MARK: Resume

    func testResumeContinuesBitForBit() throws {
        try resumeIsExact(Self.kernel)
    }

    func resumeIsExact<K: ObjectiveKernel>(_ kernel: K.Type) throws {
        let train = try Self.train.get(), test = try Self.test.get()
        let straight = try Self.trainer(K.self, epochs: 2)
        XCTAssertEqual(try straight.fit(train: train, test: test), .completed)

        let url = try temporaryDirectory().appendingPathComponent("checkpoint.ckpt")
        let first = try Self.trainer(K.self, epochs: 1, checkpoint: url)
        XCTAssertEqual(try first.fit(train: train, test: test), .completed)
        let second = try Self.trainer(K.self, epochs: 2, checkpoint: url)
        try second.resume(from: url)
        XCTAssertEqual(try second.fit(train: train, test: test), .completed)

        XCTAssertEqual(second.model.parameters, straight.model.parameters, "parameters after 2 epochs vs 1 + resume 1")
        XCTAssertEqual(second.optimizerStates, straight.optimizerStates)
        XCTAssertEqual(second.state.history.map(\.trainLoss), straight.state.history.map(\.trainLoss))
        XCTAssertEqual(second.state.history.map(\.testLoss), straight.state.history.map(\.testLoss))
        XCTAssertEqual(second.state.rng, straight.state.rng)
    }

    /// Ctrl-C in the middle of an epoch saves the exact position; resuming from it finishes
    /// the run as if nothing had happened.
    func testResumeAfterAnInterruptMidEpochIsExact() throws {
        try interruptedResumeIsExact(Self.kernel)
    }

    func interruptedResumeIsExact<K: ObjectiveKernel>(_ kernel: K.Type) throws {
        let train = try Self.train.get()
        let straight = try Self.trainer(K.self, epochs: 1)
        XCTAssertEqual(try straight.fit(train: train), .completed)

        let url = try temporaryDirectory().appendingPathComponent("checkpoint.ckpt")
        let interrupted = try Self.trainer(K.self, epochs: 1, checkpoint: url)
        interrupted.interruptFlag = InterruptFlag.shared
        InterruptFlag.shared.set()
        defer { InterruptFlag.shared.reset() }
        XCTAssertEqual(try interrupted.fit(train: train), .interrupted)
        InterruptFlag.shared.reset()
        XCTAssertEqual(interrupted.state.step, 1, "stops after the step during which the flag was seen")

        let resumed = try Self.trainer(K.self, epochs: 1, checkpoint: url)
        try resumed.resume(from: url)
        XCTAssertEqual(resumed.state.batchInEpoch, 1)
        XCTAssertEqual(try resumed.fit(train: train), .completed)
        XCTAssertEqual(resumed.model.parameters, straight.model.parameters)
        XCTAssertEqual(resumed.state.history.map(\.trainLoss), straight.state.history.map(\.trainLoss))
    }

    // MARK: Bad data

    /// A copy of the bundled MNIST in a temporary directory, for damaging.
    func copyOfMNIST() throws -> URL {
        let source = try XCTUnwrap(MNIST.bundledDirectory)
        let copy = try temporaryDirectory().appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                     "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        return copy
    }

    func testTruncatedOrCorruptDataFileGivesTheRuntimeError() throws {
        let dir = try copyOfMNIST()
        let images = dir.appendingPathComponent("train-images-idx3-ubyte.gz")
        let original = try Data(contentsOf: images)

        // Cut in half: the gzip stream ends early.
        try original.prefix(original.count / 2).write(to: images)
        XCTAssertThrowsError(try MNIST.load(split: .train, from: dir)) { error in
            guard let e = error as? DatasetError else { return XCTFail("not a DatasetError: \(error)") }
            XCTAssertTrue(e.description.hasPrefix(images.path + ": error:"), e.description)
            switch e {
            case .badGzip, .truncated: break
            default: XCTFail("unexpected \(e)")
            }
        }

        // A flipped byte in the middle of the compressed data: the CRC (or the stream) fails.
        var corrupt = original
        corrupt[corrupt.count / 2] ^= 0xFF
        try corrupt.write(to: images)
        XCTAssertThrowsError(try MNIST.load(split: .train, from: dir)) { error in
            guard case .badGzip(let path, _)? = error as? DatasetError else { return XCTFail("not badGzip: \(error)") }
            XCTAssertEqual(path, images.path)
        }

        // An uncompressed file that stops inside the pixels.
        try FileManager.default.removeItem(at: images)
        let raw = dir.appendingPathComponent("train-images-idx3-ubyte")
        var header = Data([0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28])
        header.append(Data(repeating: 0, count: 1000))
        try header.write(to: raw)
        XCTAssertThrowsError(try MNIST.load(split: .train, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError,
                           .truncated(path: raw.path, expectedBytes: 16 + 60_000 * 784, actualBytes: 16 + 1000))
        }

        // And a missing one.
        try FileManager.default.removeItem(at: raw)
        XCTAssertThrowsError(try MNIST.load(split: .train, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: raw.path))
        }
    }
}
