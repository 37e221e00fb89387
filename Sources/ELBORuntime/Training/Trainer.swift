import Dispatch
import Foundation

/// How to train.
public struct TrainerConfiguration: Sendable {
    /// The epoch to stop after.
    public var epochs: Int
    /// Examples per optimiser step; the last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Seeds the shuffles and the model's randomness.
    public var seed: UInt64
    /// The optimiser.
    public var optimizer: Adam
    /// Where to save a checkpoint after every epoch and on interrupt (nil: never).
    public var checkpointURL: URL?
    /// Examples per evaluation batch (only memory, not results, depends on it).
    public var evaluationBatchSize: Int
    /// Whether to show a progress line while training.
    public var showProgress: Bool

    /// A configuration; the defaults match common PyTorch VAE examples.
    public init(epochs: Int, batchSize: Int = 128, seed: UInt64 = 0, optimizer: Adam = Adam(),
                checkpointURL: URL? = nil, evaluationBatchSize: Int = 1000, showProgress: Bool = true) {
        precondition(epochs >= 0 && batchSize > 0 && evaluationBatchSize > 0,
                     "TrainerConfiguration: epochs \(epochs), batch size \(batchSize)")
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.optimizer = optimizer
        self.checkpointURL = checkpointURL
        self.evaluationBatchSize = evaluationBatchSize
        self.showProgress = showProgress
    }
}

/// How a call to `Trainer.fit` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// All configured epochs are done.
    case completed
    /// The interrupt flag was raised; a checkpoint of the exact position was saved.
    case interrupted
    /// A loss or gradient was NaN or infinite. That step was not applied and no checkpoint
    /// was written, so the last one on disk is the last good state.
    case diverged(epoch: Int, step: Int, loss: Float)
}

/// Minibatch training with Adam, per-epoch evaluation, checkpoints and exact resume.
///
/// Determinism: the shuffle of each epoch and the model's noise come from one seeded `RNG`
/// whose state is checkpointed, evaluation uses its own generator seeded from the epoch, and
/// GEMM results do not depend on threading, so a resumed run reproduces an uninterrupted one
/// bit for bit.
public final class Trainer<Model: TrainableModel> {
    /// The model being trained.
    public private(set) var model: Model
    /// The settings.
    public let configuration: TrainerConfiguration
    /// Counters, generator and history (the checkpoint metadata).
    public private(set) var state: TrainingState
    /// Adam's moments, one per parameter.
    public private(set) var optimizerStates: [AdamState]
    /// Called after each epoch (e.g. to write sample images and the loss curve).
    public var onEpochEnd: ((EpochRecord, Model) -> Void)?
    /// Polled after every step; when raised, training saves and returns `.interrupted`. The
    /// caller installs the handler (`InterruptFlag.shared.install()`) for Ctrl-C to set it.
    public var interruptFlag: InterruptFlag?
    /// Where epoch summaries go (default: stderr).
    public var log: (String) -> Void = { fputs($0 + "\n", stderr) }

    /// A trainer starting from the model's current parameters.
    public init(model: Model, configuration: TrainerConfiguration) {
        let names = model.parameterNames
        precondition(Set(names).count == names.count && names.count == model.parameters.count,
                     "Trainer: parameter names \(names) must be unique, one per parameter")
        self.model = model
        self.configuration = configuration
        let rng = RNG(seed: configuration.seed)
        optimizerStates = model.parameters.map { AdamState(shape: $0.shape) }
        state = TrainingState(
            model: model.checkpointIdentifier, parameterNames: names, epoch: 0, step: 0,
            batchInEpoch: 0, datasetSize: 0, rng: rng, epochStartRNG: rng, epochLossSum: 0, epochExamples: 0,
            epochSeconds: 0, epochTrainSeconds: 0, history: [], optimizer: configuration.optimizer,
            optimizerSteps: optimizerStates.map { $0.step }, seed: configuration.seed,
            batchSize: configuration.batchSize)
    }

    // MARK: Checkpoints

    /// The complete training state as a checkpoint: parameters (`param.NAME`), Adam moments
    /// (`adam.m.NAME`, `adam.v.NAME`) and `state` as JSON.
    public func checkpoint() throws -> Checkpoint {
        var s = state
        s.optimizerSteps = optimizerStates.map { $0.step }
        var checkpoint = try Checkpoint(metadata: s)
        for (name, value) in zip(state.parameterNames, model.parameters) { checkpoint.append("param." + name, value) }
        for (name, adam) in zip(state.parameterNames, optimizerStates) {
            checkpoint.append("adam.m." + name, adam.m)
            checkpoint.append("adam.v." + name, adam.v)
        }
        return checkpoint
    }

    /// Saves `checkpoint()` to the configured URL, if any.
    public func saveCheckpoint() throws {
        guard let url = configuration.checkpointURL else { return }
        try checkpoint().save(to: url)
    }

    /// Restores parameters, optimiser state, generator and counters from a checkpoint, after
    /// checking that it was made for this model with this seed and batch size.
    public func resume(from url: URL) throws {
        let path = url.path
        let checkpoint = try Checkpoint.load(from: url)
        let saved = try checkpoint.decodeMetadata(TrainingState.self, path: path)
        guard saved.model == state.model else {
            throw CheckpointError.incompatible(path: path, reason: "made by model '\(saved.model)', not '\(state.model)'")
        }
        guard saved.parameterNames == state.parameterNames else {
            throw CheckpointError.incompatible(path: path, reason: "parameters \(saved.parameterNames), expected \(state.parameterNames)")
        }
        guard saved.seed == configuration.seed, saved.batchSize == configuration.batchSize else {
            throw CheckpointError.incompatible(
                path: path, reason: "seed \(saved.seed) and batch size \(saved.batchSize), "
                    + "this run uses \(configuration.seed) and \(configuration.batchSize)")
        }
        guard saved.optimizerSteps.count == saved.parameterNames.count else {
            throw CheckpointError.corruptMetadata(path: path, reason: "optimizer steps for \(saved.optimizerSteps.count) parameters")
        }
        try saved.validate(path: path)
        let shapes = model.parameters.map { $0.shape }
        var values: [Tensor] = []
        var adam: [AdamState] = []
        for (i, name) in state.parameterNames.enumerated() {
            values.append(try checkpoint.tensor("param." + name, shape: shapes[i], path: path))
            adam.append(AdamState(m: try checkpoint.tensor("adam.m." + name, shape: shapes[i], path: path),
                                  v: try checkpoint.tensor("adam.v." + name, shape: shapes[i], path: path),
                                  step: saved.optimizerSteps[i]))
        }
        model.parameters = values
        optimizerStates = adam
        state = saved
        // The learning rate and other hyperparameters come from this run's configuration, so a
        // resumed run may deliberately change them; everything else continues as saved.
        state.optimizer = configuration.optimizer
    }

    // MARK: Training

    /// Trains until `configuration.epochs` epochs are complete, the interrupt flag is raised,
    /// or the loss stops being finite.
    public func fit(train: Dataset, test: Dataset? = nil) throws -> TrainingOutcome {
        let n = train.count
        precondition(n > 0, "Trainer.fit: empty training set")
        let batchSize = configuration.batchSize
        let batchesPerEpoch = (n + batchSize - 1) / batchSize
        if let url = configuration.checkpointURL {
            for path in Checkpoint.removeStaleTemporaries(of: url) { log("removed \(path), left by an interrupted save") }
        }
        while state.epoch < configuration.epochs {
            let epochStart = now()
            let order: [Int]
            if state.batchInEpoch == 0 {
                state.epochStartRNG = state.rng
                state.datasetSize = n
                order = state.rng.permutation(n)
            } else {
                guard state.datasetSize == n else {
                    throw CheckpointError.incompatible(
                        path: configuration.checkpointURL?.path ?? "<checkpoint>",
                        reason: "stopped mid-epoch on \(state.datasetSize) examples, resumed on \(n)")
                }
                var replay = state.epochStartRNG // resumed mid-epoch: rebuild the same order
                order = replay.permutation(n)
            }
            let progress = configuration.showProgress
                ? ProgressLine(total: n, label: "epoch \(state.epoch + 1)/\(configuration.epochs)") : nil
            while state.batchInEpoch < batchesPerEpoch {
                let lo = state.batchInEpoch * batchSize, hi = min(n, lo + batchSize)
                let batch = train.batch(Array(order[lo..<hi]))
                let loss = model.trainStep(batch: batch, rng: &state.rng)
                guard loss.isFinite, gradientsAreFinite() else {
                    progress?.finish()
                    log("epoch \(state.epoch + 1) step \(state.step + 1): loss \(loss) or its gradient is not finite; "
                        + "stopping, last good checkpoint kept")
                    return .diverged(epoch: state.epoch + 1, step: state.step + 1, loss: loss)
                }
                applyAdam()
                state.step += 1
                state.batchInEpoch += 1
                state.epochLossSum += Double(loss) * Double(hi - lo)
                state.epochExamples += hi - lo
                progress?.update(completed: hi, loss: state.epochLossSum / Double(state.epochExamples))
                if interruptFlag?.isSet == true && state.batchInEpoch < batchesPerEpoch {
                    let elapsed = now() - epochStart
                    state.epochSeconds += elapsed
                    state.epochTrainSeconds = (state.epochTrainSeconds ?? 0) + elapsed
                    progress?.finish()
                    try saveCheckpoint()
                    log("interrupted at epoch \(state.epoch + 1), step \(state.step); checkpoint saved")
                    return .interrupted
                }
            }
            // The peers time the same span: from the shuffle to the last step, without the test pass.
            let trainSeconds = (state.epochTrainSeconds ?? 0) + now() - epochStart
            progress?.finish()
            let testLoss = test.map { evaluate($0, epoch: state.epoch + 1) }
            let record = EpochRecord(epoch: state.epoch + 1,
                                     trainLoss: state.epochLossSum / Double(max(state.epochExamples, 1)),
                                     testLoss: testLoss, seconds: state.epochSeconds + now() - epochStart,
                                     trainSeconds: trainSeconds)
            state.history.append(record)
            state.epoch += 1
            state.batchInEpoch = 0
            state.epochLossSum = 0
            state.epochExamples = 0
            state.epochSeconds = 0
            state.epochTrainSeconds = 0
            try saveCheckpoint()
            log("epoch \(record.epoch)/\(configuration.epochs)  train \(fixed(record.trainLoss, 4))"
                + (testLoss.map { "  test \(fixed($0, 4))" } ?? "") + "  \(fixed(record.seconds, 1))s")
            onEpochEnd?(record, model)
            if interruptFlag?.isSet == true && state.epoch < configuration.epochs { return .interrupted }
        }
        return .completed
    }

    /// The mean loss over `data`, in batches, with a generator seeded from the run's seed and
    /// `epoch` (so evaluating never perturbs the training stream, and repeats exactly).
    public func evaluate(_ data: Dataset, epoch: Int) -> Double {
        var rng = RNG(seed: configuration.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
        var total = 0.0
        var start = 0
        while start < data.count {
            let end = min(data.count, start + configuration.evaluationBatchSize)
            let batch = data.batch(Array(start..<end))
            total += Double(model.evaluate(batch: batch, rng: &rng)) * Double(end - start)
            start = end
        }
        return total / Double(max(data.count, 1))
    }

    private func gradientsAreFinite() -> Bool {
        var finite = true
        model.updateParameters { _, _, gradient in
            if finite { finite = gradient.isFinite }
        }
        return finite
    }

    private func applyAdam() {
        let adam = configuration.optimizer
        model.updateParameters { index, parameter, gradient in
            adam.step(&parameter, gradient: gradient, state: &optimizerStates[index])
        }
    }

    private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
