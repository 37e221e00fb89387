import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo sample CHECKPOINT_DIR --n 64 --out FILE.png [--seed S]`: decodes samples from the
/// prior of a trained model, drawn as `elbo train` draws `samples.png`: with the run's seed (the
/// default) and 64 samples it redraws that file pixel for pixel.
enum SampleCommand {
    /// The most samples one grid may hold.
    static let maximumCount = 10_000

    static let command = Command(
        name: "sample", arguments: "CHECKPOINT_DIR",
        summary: "decode samples from the prior of a trained model (one row per class if conditional)",
        options: [
            .value("out", "FILE.png", "the picture to write (required)"),
            .value("n", "N", "how many samples (default 64, at most 10000)"),
            .value("seed", "S", "the seed of the prior's noise (default: the run's, which redraws its samples.png)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.count == 1 else { throw CommandFailure.usage("one CHECKPOINT_DIR expected") }
        guard let out = a.string("out") else { throw CommandFailure.usage("--out FILE.png is required") }
        let outURL = try OutputPath.file(out)
        let n = try a.int("n") ?? Pictures.samplesCount
        guard n <= maximumCount else { throw CommandFailure.usage("--n \(n): at most \(maximumCount) samples") }
        var seed: UInt64?
        if let s = a.string("seed") {
            guard let v = UInt64(s) else { throw CommandFailure.usage("--seed needs a non-negative integer, got '\(s)'") }
            seed = v
        }
        // Accept the directory or the checkpoint file inside it.
        var directory = URL(fileURLWithPath: a.positionals[0])
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            directory = directory.deletingLastPathComponent()
        }
        let run = try RunMetadata.load(from: directory)
        guard let kernel = KernelRegistry.kernel(named: run.kernel) else {
            throw CommandFailure.input("the run in \(directory.path) was trained with kernel \(run.kernel), which this build lacks; "
                + "have \(KernelRegistry.all.map { $0.descriptor.name }.joined(separator: ", "))")
        }
        return try sample(kernel, run: run, directory: directory, count: n, seed: seed ?? run.seed, out: outURL)
    }

    static func sample<K: ObjectiveKernel>(_ kernel: K.Type, run: RunMetadata, directory: URL, count: Int, seed: UInt64,
                                           out: URL) throws -> Int32 {
        let model = try loadModel(K.self, run: run, directory: directory)
        let specPath = FileManager.default.fileExists(atPath: run.spec) ? run.spec : run.specAbsolute
        let setup = try ModelSetup.load(specPath: specPath, objective: run.objective)
        let plan = try PicturePlan(derivation: setup.derivation)
        let image = try Pictures.samples(model, plan: plan, count: count, seed: Pictures.samplesSeed(runSeed: seed))
        try OutputPath.write(Data(image.encoded()), to: out)
        print("wrote \(out.path) (\(image.width)×\(image.height)): " + (plan.labels.isEmpty
            ? "\(count) samples of \(run.kernel) from the prior"
            : "samples of \(run.kernel), one row per class of \(plan.labels.map(\.name).joined(separator: ", "))"))
        return 0
    }

    /// The model of a run directory with the parameters of its checkpoint.
    static func loadModel<K: ObjectiveKernel>(_ kernel: K.Type, run: RunMetadata, directory: URL) throws -> GraphModel<K> {
        try RunLimits.validate(run, descriptor: K.descriptor, path: directory.appendingPathComponent(RunMetadata.fileName).path)
        var rng = RNG(seed: 0)
        var model: GraphModel<K>
        do { model = try GraphModel<K>(dims: run.dims, hidden: run.hidden, rng: &rng) } catch {
            throw CommandFailure.input("cannot rebuild the model of \(run.kernel): \(error)")
        }
        let url = RunMetadata.checkpointURL(in: directory)
        do {
            let checkpoint = try Checkpoint.load(from: url)
            model.parameters = try zip(model.parameterNames, model.parameters).map { name, p in
                try checkpoint.tensor("param." + name, shape: p.shape, path: url.path)
            }
        } catch let error as CheckpointError {
            throw CommandFailure.input(error.description)
        }
        return model
    }
}
