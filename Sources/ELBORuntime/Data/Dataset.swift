/// A labelled data set held in memory: one example per row of `inputs`.
public struct Dataset: Sendable {
    /// The examples, `[N, features]`.
    public var inputs: Tensor
    /// One label per example (class index), possibly empty for unlabelled data.
    public var labels: [UInt8]

    /// A data set; `labels` must be empty or have one entry per row of `inputs`.
    public init(inputs: Tensor, labels: [UInt8] = []) {
        precondition(labels.isEmpty || labels.count == inputs.rowCount,
                     "Dataset: \(labels.count) labels for \(inputs.rowCount) examples")
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of examples.
    public var count: Int { inputs.rowCount }

    /// The examples at `indices`, in order, as a batch.
    public func batch(_ indices: [Int]) -> Batch {
        Batch(inputs: inputs.gatheringRows(indices),
              labels: labels.isEmpty ? [] : indices.map { labels[$0] })
    }

    /// The first `n` examples.
    public func prefix(_ n: Int) -> Dataset {
        let n = min(n, count)
        return Dataset(inputs: inputs.rows(0..<n), labels: labels.isEmpty ? [] : Array(labels[..<n]))
    }
}

/// A minibatch: the rows of a data set that one optimiser step sees.
public struct Batch: Sendable {
    /// The examples, `[B, features]`.
    public var inputs: Tensor
    /// Their labels (empty for unlabelled data).
    public var labels: [UInt8]

    /// A batch of examples and labels.
    public init(inputs: Tensor, labels: [UInt8] = []) {
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of examples.
    public var count: Int { inputs.rowCount }

    /// The labels one-hot encoded, `[B, classes]` (for conditional models).
    public func oneHotLabels(classes: Int) -> Tensor {
        var t = Tensor(zeros: [labels.count, classes])
        for (i, label) in labels.enumerated() {
            precondition(Int(label) < classes, "Batch.oneHotLabels: label \(label) ≥ \(classes) classes")
            t.data[i * classes + Int(label)] = 1
        }
        return t
    }
}
