import Foundation
import ELBORuntime

/// `elbo train SPEC …`: trains the model of one objective of a spec with its generated kernel
/// on MNIST, with a checkpoint and pictures in the run directory after every epoch.
enum TrainCommand {
    static let command = Command(
        name: "train", arguments: "SPEC",
        summary: "train the objective's generated kernel on MNIST",
        details: """
            A checkpoint and samples.png, reconstructions.png, loss.png go to the run directory after
            every epoch; Ctrl-C saves and stops (continue with --resume).
            """,
        options: [
            .value("objective", "NAME", "the objective to train (default: the spec's only one)"),
            .value("epochs", "N", "epochs in all (default 10)"),
            .value("batch", "B", "examples per step (default 128)"),
            .value("seed", "S", "seed of the initial parameters, shuffles and noise (default 1)"),
            .value("out", "DIR", "the run directory (default runs/OBJECTIVE)"),
            .value("limit", "N", "train on the first N training examples only"),
            .flag("resume", "continue the run in DIR from its checkpoint"),
            .flag("force", "start the run in DIR over"),
            .value("format", "text|json", "epoch summaries as text or one JSON object a line (default text)"),
            .value("data", "DIR", "the MNIST files (default: the bundled copy)"),
            .value("hidden", "W[,W…]", "widths of the networks' hidden layers (default 400)"),
            .value("lr", "RATE", "Adam's learning rate (default 1e-3)"),
            .value("dim", "NAME=VALUE", repeatable: true, "the size of a dimension symbol of the spec"),
        ],
        body: { a in
            let options = try parse(a)
            let setup = try ModelSetup.load(specPath: options.spec, objective: options.objective)
            return try train(setup.kernel, setup: setup, options: options)
        })

    /// Everything a run is made of, after defaults and (on `--resume`) the saved run are applied.
    struct Options {
        var spec: String
        var objective: String?
        var epochs = 10
        var batch = 128
        var seed: UInt64 = 1
        var out: String?
        var limit: Int?
        var resume = false
        var force = false
        var json = false
        var data: String?
        var hidden = [400]
        var learningRate = 1e-3
        var dims: [String: Int] = [:]
        /// Which of the settings above were given on the command line.
        var given: Set<String> = []
    }

    static func parse(_ args: [String]) throws -> Options {
        try parse(try CommandArguments(args, options: command.options))
    }

    static func parse(_ a: CommandArguments) throws -> Options {
        guard a.positionals.count == 1 else {
            throw CommandFailure.usage(a.positionals.isEmpty ? "no SPEC given" : "one SPEC expected, got \(a.positionals.joined(separator: " "))")
        }
        var o = Options(spec: a.positionals[0])
        o.objective = a.string("objective")
        if let n = try a.int("epochs") { o.epochs = n }
        if let n = try a.int("batch") { o.batch = n }
        if let s = a.string("seed") {
            guard let v = UInt64(s) else { throw CommandFailure.usage("--seed needs a non-negative integer, got '\(s)'") }
            o.seed = v
        }
        o.out = a.string("out")
        o.limit = try a.int("limit")
        o.resume = a.has("resume")
        o.force = a.has("force")
        if o.resume && o.force { throw CommandFailure.usage("--resume continues a run and --force starts it over; give one") }
        o.json = try a.choice("format", ["text", "json"]) == "json"
        o.data = a.string("data")
        if let h = a.string("hidden") {
            // Empty fields count: `400,,200` is a typo, not two layers.
            let widths = h.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw CommandFailure.usage("--hidden needs positive widths such as 400 or 512,256, got '\(h)'")
            }
            o.hidden = widths.map { $0! }
        }
        if let lr = try a.positiveDouble("lr") { o.learningRate = lr }
        o.dims = try ModelSetup.parseDimensionOverrides(a.all("dim"))
        o.given = Set(["epochs", "batch", "seed", "limit", "hidden", "lr", "data"].filter(a.has))
        return o
    }

    /// On `--resume`, settings not given on the command line come from the saved run; given
    /// ones that would change the model or its data are refused (the learning rate and the
    /// data directory may change, at the price of bit-exactness).
    static func merge(_ o: inout Options, saved: RunMetadata, kernelName: String, directory: String) throws {
        guard saved.kernel == kernelName else {
            throw CommandFailure.input("\(directory) holds a run of \(saved.kernel) (objective \(saved.objective)), not \(kernelName)")
        }
        func check<T: Equatable>(_ name: String, _ mine: T, _ theirs: T, _ show: (T) -> String) throws {
            if o.given.contains(name) && mine != theirs {
                throw CommandFailure.usage("--\(name) \(show(mine)) differs from the saved run's \(show(theirs)); resume with the same value")
            }
        }
        try check("seed", o.seed, saved.seed) { "\($0)" }
        try check("batch", o.batch, saved.batch) { "\($0)" }
        try check("hidden", o.hidden, saved.hidden) { $0.map(String.init).joined(separator: ",") }
        try check("limit", o.limit, saved.limit) { $0.map(String.init) ?? "none" }
        for (d, n) in o.dims where saved.dims[d] != n {
            throw CommandFailure.usage("--dim \(d)=\(n) differs from the saved run's \(saved.dims[d].map(String.init) ?? "none")")
        }
        o.seed = saved.seed
        o.batch = saved.batch
        o.hidden = saved.hidden
        o.limit = saved.limit
        o.dims = saved.dims
        if !o.given.contains("lr") { o.learningRate = saved.learningRate }
        if !o.given.contains("data") { o.data = saved.data }
        // Without --epochs a resumed run goes on to the target it was started with.
        if !o.given.contains("epochs") { o.epochs = saved.epochs }
    }

    /// Builds `GraphModel<K>` and trains it; `K` is the kernel found in the registry.
    static func train<K: ObjectiveKernel>(_ kernel: K.Type, setup: ModelSetup, options: Options) throws -> Int32 {
        var o = options
        let dirPath = o.out ?? "runs/\(setup.objective.name)"
        let directory = try OutputPath.directory(dirPath)
        let checkpointURL = RunMetadata.checkpointURL(in: directory)
        let fm = FileManager.default
        if o.resume {
            guard fm.fileExists(atPath: checkpointURL.path) else {
                throw CommandFailure.input("\(checkpointURL.path): error: no checkpoint to resume (train without --resume first)")
            }
            let saved = try RunMetadata.load(from: directory)
            try merge(&o, saved: saved, kernelName: setup.kernelName, directory: dirPath)
            try RunLimits.validate(saved, descriptor: K.descriptor, path: directory.appendingPathComponent(RunMetadata.fileName).path)
        } else if fm.fileExists(atPath: checkpointURL.path) && !o.force {
            throw CommandFailure.usage("\(dirPath) already holds a run; pass --resume to continue it, --force to start it over, or another --out")
        }
        if setup.kernelMatchesSpec == false {
            printError("elbo train: warning: Generated/\(setup.kernelName).swift was generated from another version of \(setup.specPath); "
                + "run `elbo generate` and rebuild")
        }

        let dims = o.resume ? o.dims : try ModelSetup.resolveDimensions(K.descriptor, overrides: o.dims)
        try RunLimits.validate(dims: dims, hidden: o.hidden, batch: o.batch, limit: o.limit, learningRate: o.learningRate,
                               epochs: o.epochs, descriptor: K.descriptor, source: "")
        let dataURL = o.data.map { URL(fileURLWithPath: $0) }
        let train: Dataset, test: Dataset
        do {
            train = try MNIST.load(split: .train, limit: o.limit, from: dataURL)
            test = try MNIST.load(split: .test, from: dataURL)
        } catch let error as DatasetError {
            throw CommandFailure.input(error.description)
        }

        // The initial parameters come from their own stream, so that they are not correlated
        // with the trainer's shuffles and noise (which start from `RNG(seed:)`).
        var initRNG = RNG(seed: o.seed ^ 0x1A17_0000_0000_0000)
        let model: GraphModel<K>
        do { model = try GraphModel<K>(dims: dims, hidden: o.hidden, rng: &initRNG) } catch {
            throw CommandFailure.input("cannot build the model of \(K.descriptor.name): \(error)")
        }
        let configuration = TrainerConfiguration(
            epochs: o.epochs, batchSize: o.batch, seed: o.seed, optimizer: Adam(learningRate: Float(o.learningRate)),
            checkpointURL: checkpointURL)
        let trainer = Trainer(model: model, configuration: configuration)
        try OutputPath.create(directory)
        if o.force {
            // Nothing of the old run may pass for this one's (e.g. a checkpoint kept on divergence).
            for name in [RunMetadata.checkpointName, RunMetadata.fileName, Pictures.samplesFile,
                         Pictures.reconstructionsFile, Pictures.lossFile] {
                try? fm.removeItem(at: directory.appendingPathComponent(name))
            }
        }
        if o.resume {
            do { try trainer.resume(from: checkpointURL) } catch let error as CheckpointError {
                throw CommandFailure.input(error.description)
            }
        }
        let metadata = RunMetadata(
            spec: setup.specPath, specAbsolute: URL(fileURLWithPath: setup.specPath).standardizedFileURL.path,
            derivation: setup.derivation.name, objective: setup.objective.name, kernel: setup.kernelName, dims: dims,
            hidden: o.hidden, seed: o.seed, batch: o.batch, limit: o.limit, learningRate: o.learningRate,
            epochs: o.epochs, data: o.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        try metadata.save(to: directory)

        let plan = Result { try PicturePlan(derivation: setup.derivation) }
        var reported = Set<String>()
        let json = o.json
        // Epoch summaries and the trainer's messages go to stdout as text; with --format json
        // stdout carries only the JSON lines and the messages go to stderr.
        trainer.log = { line in if json { printError(line) } else { print(line) } }
        let seed = o.seed
        trainer.onEpochEnd = { [unowned trainer] record, model in
            if json { print(jsonLine(record)) }
            for problem in Pictures.write(model, plan: plan, test: test, history: trainer.state.history,
                                          seed: seed, to: directory) where reported.insert(problem).inserted {
                printError("elbo train: warning: \(problem)")
            }
        }
        InterruptFlag.shared.install()
        trainer.interruptFlag = InterruptFlag.shared
        defer { InterruptFlag.shared.uninstall() }

        let start = trainer.state.epoch
        if start >= o.epochs {
            printError("elbo train: \(dirPath) is already trained for \(start) epoch\(start == 1 ? "" : "s"); pass a larger --epochs to go on")
            return 0
        }
        if !json {
            print("training \(K.descriptor.name) (\(setup.specPath), objective \(setup.objective.name)): \(describeDimensions(dims)), "
                + "hidden \(o.hidden.map(String.init).joined(separator: ",")), batch \(o.batch), lr \(o.learningRate), seed \(o.seed); "
                + "\(train.count) training and \(test.count) test examples"
                + (trainer.state.batchInEpoch > 0 ? "; resuming epoch \(start + 1) at batch \(trainer.state.batchInEpoch + 1)"
                    : start > 0 ? "; resuming after epoch \(start)" : ""))
        }
        let outcome: TrainingOutcome
        do { outcome = try trainer.fit(train: train, test: test) } catch let error as CheckpointError {
            throw CommandFailure.failed(error.description)
        }
        switch outcome {
        case .completed:
            if !json { print("checkpoint and pictures in \(dirPath)/") }
            return 0
        case .interrupted:
            printError("elbo train: interrupted; checkpoint saved in \(checkpointURL.path). Continue with: elbo train \(setup.specPath) --out \(dirPath) --resume")
            return 130
        case .diverged(let epoch, let step, let loss):
            throw CommandFailure.failed("the loss or its gradient became \(loss) at epoch \(epoch), step \(step); stopped. "
                + (fm.fileExists(atPath: checkpointURL.path)
                    ? "\(checkpointURL.path) holds the last good state (resume with --resume)."
                    : "No epoch had finished, so there is no checkpoint.")
                + " A smaller --lr may help.")
        }
    }

    /// `{"epoch": 1, "train_loss": …, "test_loss": …, "epoch_seconds": …, "train_seconds": …}`:
    /// `epoch_seconds` includes the test pass, `train_seconds` is training alone (the peers' span).
    static func jsonLine(_ r: EpochRecord) -> String {
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        return "{\"epoch\": \(r.epoch), \"train_loss\": \(number(r.trainLoss)), \"test_loss\": \(number(r.testLoss)), "
            + "\"epoch_seconds\": \(number(r.seconds)), \"train_seconds\": \(number(r.trainSeconds))}"
    }
}
