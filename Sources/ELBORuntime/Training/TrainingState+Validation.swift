/// The checks a saved `TrainingState` must pass before a trainer uses it: a checkpoint can
/// carry a valid CRC and still hold numbers no training run produces (edited by hand, or written
/// by a bug), and each of them would otherwise trap or mislead later.
extension TrainingState {
    /// Throws `corruptMetadata` naming the first impossible field.
    func validate(path: String) throws {
        func bad(_ reason: String) -> CheckpointError { .corruptMetadata(path: path, reason: reason) }
        guard epoch >= 0 else { throw bad("epoch \(epoch) is negative") }
        guard step >= 0 else { throw bad("step \(step) is negative") }
        guard batchSize > 0 else { throw bad("batch size \(batchSize) is not positive") }
        guard datasetSize >= 0 else { throw bad("dataset size \(datasetSize) is negative") }
        guard history.count == epoch else {
            throw bad("\(history.count) epoch records for \(epoch) finished epochs")
        }
        for (k, r) in history.enumerated() where r.epoch != k + 1 {
            throw bad("epoch record \(k + 1) says epoch \(r.epoch)")
        }
        guard batchInEpoch >= 0 else { throw bad("batch \(batchInEpoch) of the current epoch is negative") }
        if batchInEpoch > 0 {
            let batches = (datasetSize + batchSize - 1) / batchSize
            guard batchInEpoch < batches else {
                throw bad("stopped at batch \(batchInEpoch) of an epoch of \(batches) batches")
            }
            guard epochExamples == batchInEpoch * batchSize else {
                throw bad("\(epochExamples) examples seen in \(batchInEpoch) batches of \(batchSize)")
            }
        } else {
            guard epochExamples == 0 else { throw bad("\(epochExamples) examples seen at an epoch boundary") }
        }
        guard epochLossSum.isFinite, epochSeconds.isFinite, epochSeconds >= 0,
              (epochTrainSeconds ?? 0).isFinite, (epochTrainSeconds ?? 0) >= 0 else {
            throw bad("the current epoch's loss sum \(epochLossSum) or time \(epochSeconds) is not a finite count")
        }
        if let s = optimizerSteps.first(where: { $0 < 0 || $0 > step }) {
            throw bad("an optimiser step count \(s) is outside 0…\(step)")
        }
    }
}
