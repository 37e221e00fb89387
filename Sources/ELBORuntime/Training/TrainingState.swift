/// The losses of one finished epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// The epoch number, from 1.
    public var epoch: Int
    /// The mean training loss over the epoch's examples (as the parameters moved).
    public var trainLoss: Double
    /// The mean loss on the test set after the epoch, if one was given.
    public var testLoss: Double?
    /// Wall-clock seconds the epoch took (training and evaluation).
    public var seconds: Double
    /// Wall-clock seconds of the training steps alone (shuffle, batches, steps; no test pass):
    /// the span the PyTorch and JAX peers time. Absent in runs saved before it was recorded.
    public var trainSeconds: Double?

    /// A record; `trainSeconds` is the training part of `seconds`.
    public init(epoch: Int, trainLoss: Double, testLoss: Double?, seconds: Double, trainSeconds: Double? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.testLoss = testLoss
        self.seconds = seconds
        self.trainSeconds = trainSeconds
    }
}

/// Everything besides tensors needed to continue training exactly where it stopped; stored as
/// the JSON metadata of a checkpoint.
public struct TrainingState: Codable, Sendable, Equatable {
    /// The model's `checkpointIdentifier`.
    public var model: String
    /// The parameter names, in order.
    public var parameterNames: [String]
    /// Fully completed epochs.
    public var epoch: Int
    /// Optimiser steps taken in total.
    public var step: Int
    /// Batches already done in the current, unfinished epoch (0 at an epoch boundary).
    public var batchInEpoch: Int
    /// The training set size the current epoch's shuffle was drawn for.
    public var datasetSize: Int
    /// The generator as it is now.
    public var rng: RNG
    /// The generator just before the current epoch's shuffle, to rebuild its order on resume.
    public var epochStartRNG: RNG
    /// Sum over the current epoch's examples so far of the loss (for its mean).
    public var epochLossSum: Double
    /// Examples seen so far in the current epoch.
    public var epochExamples: Int
    /// Seconds spent so far in the current epoch.
    public var epochSeconds: Double
    /// Of those, seconds spent training (absent in checkpoints saved before it was recorded;
    /// then the resumed epoch's training time counts only what follows the resume).
    public var epochTrainSeconds: Double?
    /// The finished epochs.
    public var history: [EpochRecord]
    /// The optimiser's hyperparameters.
    public var optimizer: Adam
    /// Adam's step count per parameter.
    public var optimizerSteps: [Int]
    /// The seed and batch size, which a resumed run must share.
    public var seed: UInt64
    /// The minibatch size.
    public var batchSize: Int
}
