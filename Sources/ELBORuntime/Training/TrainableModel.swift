/// A model the `Trainer` can optimise: a fixed, named list of parameter tensors with
/// gradients, a training step that fills those gradients, and an evaluation.
///
/// The loss is not the trainer's business: generated kernels supply it through `trainStep`.
public protocol TrainableModel {
    /// A name written into checkpoints; resuming refuses a checkpoint made by another model.
    var checkpointIdentifier: String { get }

    /// Unique names of the parameters, in the order of `parameters` (checkpoint keys).
    var parameterNames: [String] { get }

    /// The parameter values, in a fixed order. Setting replaces them all (used on resume).
    var parameters: [Tensor] { get set }

    /// Calls `body` once per parameter, in order, with the parameter (in place, so an
    /// optimiser step does not copy it) and its gradient from the last `trainStep`.
    mutating func updateParameters(_ body: (_ index: Int, _ parameter: inout Tensor, _ gradient: Tensor) -> Void)

    /// Computes the mean loss over `batch` and overwrites every gradient with its gradient.
    /// Randomness (e.g. reparameterisation noise) must come from `rng` only, so runs repeat.
    mutating func trainStep(batch: Batch, rng: inout RNG) -> Float

    /// The mean loss over `batch`, without touching gradients.
    func evaluate(batch: Batch, rng: inout RNG) -> Float
}

extension TrainableModel {
    /// The type name, by default.
    public var checkpointIdentifier: String { String(describing: Self.self) }
}
