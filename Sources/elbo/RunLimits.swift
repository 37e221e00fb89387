import ELBORuntime

/// The bounds a training run's settings must keep, whether they come from the command line or
/// from a saved `run.json`: beyond them a run would trap, exhaust memory or silently train
/// something other than what was asked. Each message states the limit.
enum RunLimits {
    /// The widest hidden layer (the reference VAE uses 400); a 4096×4096 layer with Adam's two
    /// moments already takes 200 MB.
    static let maximumHiddenWidth = 4096
    /// The most hidden layers.
    static let maximumHiddenLayers = 16
    /// The largest latent or other free dimension.
    static let maximumDimension = 4096
    /// The most parameters a model may have (with Adam's moments, 1.5 GB of Float).
    static let maximumParameters = 1 << 27

    /// Throws a `CommandFailure` naming `source` (a run.json path; empty for the command line)
    /// and the first setting out of bounds.
    static func validate(dims: [String: Int], hidden: [Int], batch: Int, limit: Int?, learningRate: Double, epochs: Int,
                         descriptor: KernelDescriptor, source: String) throws {
        func fail(_ message: String) -> CommandFailure { .input(source.isEmpty ? message : "\(source): error: \(message)") }
        guard !hidden.isEmpty, hidden.count <= maximumHiddenLayers else {
            throw fail("hidden must list 1 to \(maximumHiddenLayers) layer widths, got \(hidden.count)")
        }
        if let w = hidden.first(where: { $0 < 1 || $0 > maximumHiddenWidth }) {
            throw fail("hidden layer width \(w) is outside 1…\(maximumHiddenWidth)")
        }
        guard batch >= 1, batch <= MNIST.Split.train.size else {
            throw fail("batch \(batch) is outside 1…\(MNIST.Split.train.size)")
        }
        if let limit, limit < 1 || limit > MNIST.Split.train.size {
            throw fail("limit \(limit) is outside 1…\(MNIST.Split.train.size), the training examples MNIST has")
        }
        guard epochs >= 1 else { throw fail("epochs \(epochs) is not positive") }
        let rate = Float(learningRate)
        guard learningRate.isFinite, learningRate > 0, rate.isNormal, rate.isFinite else {
            throw fail("learning rate \(learningRate) is not a positive number Float can hold "
                + "(\(Float.leastNormalMagnitude)…\(Float.greatestFiniteMagnitude))")
        }
        for (d, n) in dims.sorted(by: { $0.key < $1.key }) where n < 1 || n > maximumDimension {
            throw fail("dimension \(d)=\(n) is outside 1…\(maximumDimension)")
        }
        for s in descriptor.dimensions where dims[s] == nil && Int(s) == nil {
            throw fail("no size for dimension \(s)")
        }
        let count = parameterCount(descriptor, dims: dims, hidden: hidden)
        guard count <= maximumParameters else {
            throw fail("the model would have \(count == Int.max ? "more than \(maximumParameters)" : "\(count)") parameters; "
                + "at most \(maximumParameters) fit (use narrower --hidden layers or smaller dimensions)")
        }
    }

    /// Checks a saved run before it is used to rebuild a model (`--resume`, `elbo sample`): its
    /// sizes within the limits and its dimensions the ones the kernel resolves to (a label's
    /// class count, the data width).
    static func validate(_ run: RunMetadata, descriptor: KernelDescriptor, path: String) throws {
        try validate(dims: run.dims, hidden: run.hidden, batch: run.batch, limit: run.limit, learningRate: run.learningRate,
                     epochs: run.epochs, descriptor: descriptor, source: path)
        let resolved = try? ModelSetup.resolveDimensions(descriptor, overrides: run.dims.filter { descriptor.dimensions.contains($0.key) })
        guard let resolved, resolved == run.dims else {
            throw CommandFailure.input("\(path): error: dims \(describeDimensions(run.dims)) do not fit kernel \(descriptor.name)"
                + (resolved.map { " (expected \(describeDimensions($0)))" } ?? ""))
        }
    }

    /// The number of Float parameters of the networks and kernel parameters, saturating at
    /// `Int.max` instead of overflowing.
    static func parameterCount(_ d: KernelDescriptor, dims: [String: Int], hidden: [Int]) -> Int {
        func width(_ name: String) -> Int {
            guard let s = d.input(name)?.dimension else { return 1 }
            return dims[s] ?? Int(s) ?? 0
        }
        var total = 0
        func add(_ x: Int) { total = total > Int.max - x ? Int.max : total + x }
        func product(_ a: Int, _ b: Int) -> Int {
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? Int.max : p
        }
        for n in d.networks {
            let sizes = [n.inputs.map(width).reduce(0, +)] + hidden + [n.outputs.map(width).reduce(0, +)]
            for (a, b) in zip(sizes, sizes.dropFirst()) { add(product(a, b)); add(b) }
        }
        for p in d.params { add(p.shape.map { dims[$0] ?? Int($0) ?? 1 }.reduce(1, product)) }
        return total
    }
}
