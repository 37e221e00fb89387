import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo bench epoch | gemm | kernel`: timings that compare the project with its peers on this
/// machine, printed as plain figures (none of them is a test).
enum BenchCommand {
    static let command = Command(
        name: "bench", summary: "time the project against its peers on this machine (plain figures, none of them a test)",
        subcommands: [
            Command(name: "epoch", summary: "one training epoch of the reference VAE against the PyTorch peer (../shared/peers/torch_vae.py)",
                    options: epochOptions, body: epoch),
            Command(name: "gemm", summary: "the matrix product against numpy's matmul",
                    options: gemmOptions, body: gemmBench),
            Command(name: "kernel", summary: "each generated kernel against reading its inputs once (and the reference VAE loss against PyTorch autograd)",
                    options: kernelOptions, body: kernelBench),
        ])

    static let epochOptions: [Option] = [
        .value("data", "DIR", "the MNIST files (default: the bundled copy)"),
        .value("rounds", "N", "alternate elbo and the peer N times, keep each one's best (default 1)"),
        .value("peer", "FILE.py", "the peer script (default ../shared/peers/torch_vae.py)"),
        .flag("skip-peer", "time elbo only"),
    ]
    static let gemmOptions: [Option] = [
        .value("repeats-scale", "X", "scale the number of repetitions (default 1)"),
    ]
    static let kernelOptions: [Option] = [
        .value("repeats", "N", "repetitions per timing (default 200)"),
        .value("rounds", "N", "alternate with the peer N times (default 1)"),
        .value("dim", "NAME=VALUE", repeatable: true, "the size of a dimension symbol"),
        .flag("skip-peer", "time elbo only"),
    ]

    /// The machine's load averages (1, 5, 15 minutes), to judge how busy it was.
    static var loadAverage: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func header() {
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage); "
            + "gemm threads \(defaultGEMMThreads)")
    }

    // MARK: epoch

    /// One training epoch of the reference VAE (784-400-20, batch 128, Adam 1e-3, seed 1) with
    /// the generated kernel, then one of the PyTorch peer in a subprocess, and their ratio.
    static func epoch(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected \(a.positionals.joined(separator: " "))") }
        let rounds = try a.int("rounds") ?? 1
        header()
        var note = ""
        let kernel: any ObjectiveKernel.Type
        if let k = KernelRegistry.kernel(named: "VaeBernoulliLoss") {
            kernel = k
        } else if let k = KernelRegistry.kernel(named: "BernoulliVAEFixture") {
            kernel = k
            note = " (VaeBernoulliLoss is not generated yet: the fixture kernel with the same loss)"
        } else {
            throw CommandFailure.input("no VaeBernoulliLoss kernel; run `elbo generate` and rebuild")
        }
        let dataURL = a.string("data").map { URL(fileURLWithPath: $0) }
        let train: Dataset
        do { train = try MNIST.load(split: .train, from: dataURL) } catch let error as DatasetError {
            throw CommandFailure.input(error.description)
        }

        // The peer, if it can run here.
        var peerCommand: [String]?
        if a.has("skip-peer") {
            print("peer:    skipped (--skip-peer)")
        } else if let peer = a.string("peer") ?? peerScript() {
            let check = runProcess(["python3", "-c", "import torch, numpy"], environment: [:])
            if check.status != 0 {
                print("peer:    skipped: python3 with torch and numpy is not available here (\(check.output.split(separator: "\n").last ?? "no python3"))")
            } else if let dataDirectory = dataURL?.path ?? MNIST.bundledDirectory?.path {
                peerCommand = ["python3", peer, dataDirectory, "1"]
            }
        } else {
            print("peer:    skipped: ../shared/peers/torch_vae.py not found (give --peer FILE.py)")
        }

        // Alternate the two, so that both see the same background load; keep each one's best.
        var best = Double.infinity, bestPeer = Double.infinity
        for round in 1...rounds {
            let (seconds, loss) = try timeEpoch(kernel, train: train)
            best = min(best, seconds)
            print(String(format: "elbo:    1 epoch of %@ (784-400-20, batch 128, seed 1) on %d examples: %.2f s (%.0f examples/s), train loss %.3f%@",
                         kernel.descriptor.name, train.count, seconds, Double(train.count) / seconds, loss, round == 1 ? note : ""))
            guard let command = peerCommand else { continue }
            let result = runProcess(command, environment: ["THREADS": "2"])
            guard result.status == 0, let peerSeconds = field("epoch_seconds", in: result.output) else {
                throw CommandFailure.failed("the peer failed (status \(result.status)):\n\(result.output)")
            }
            bestPeer = min(bestPeer, peerSeconds)
            let peerLoss = field("train_loss", in: result.output).map { String(format: ", train loss %.3f", $0) } ?? ""
            print(String(format: "PyTorch: 1 epoch of torch_vae.py (THREADS=2): %.2f s (%.0f examples/s)%@",
                         peerSeconds, 60000 / peerSeconds, peerLoss))
        }
        if peerCommand != nil {
            print(String(format: "ratio:   elbo / PyTorch epoch time = %.2f (%@)%@", best / bestPeer,
                         best <= bestPeer ? "elbo is faster" : "elbo is slower", rounds > 1 ? ", best of \(rounds) rounds each" : ""))
        }
        print("load average after: \(loadAverage)")
        return 0
    }

    /// Trains one epoch of the reference model with kernel `K`; returns seconds and mean loss.
    static func timeEpoch<K: ObjectiveKernel>(_ kernel: K.Type, train: Dataset) throws -> (Double, Double) {
        let dims = try ModelSetup.resolveDimensions(K.descriptor, overrides: [:])
        var rng = RNG(seed: 1 ^ 0x1A17_0000_0000_0000)
        let model = try GraphModel<K>(dims: dims, hidden: [400], rng: &rng)
        let trainer = Trainer(model: model, configuration: TrainerConfiguration(epochs: 1, batchSize: 128, seed: 1))
        trainer.log = { _ in }
        guard try trainer.fit(train: train) == .completed, let record = trainer.state.history.last else {
            throw CommandFailure.failed("the benchmark epoch did not complete")
        }
        return (record.seconds, record.trainLoss)
    }

    /// The peer script next to the project: `../shared/peers/torch_vae.py` from the working
    /// directory or from the package root.
    static func peerScript() -> String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = ["../shared/peers/torch_vae.py",
                          packageRoot.deletingLastPathComponent().appendingPathComponent("shared/peers/torch_vae.py").path]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The number after `name` in `text` (the peer prints `epoch 1 train_loss … epoch_seconds …`).
    static func field(_ name: String, in text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let i = words.lastIndex(where: { $0 == name }), i + 1 < words.count else { return nil }
        return Double(words[i + 1])
    }

    /// Runs a command found on PATH; returns its exit status and its stdout and stderr together.
    static func runProcess(_ command: [String], environment: [String: String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "cannot run \(command[0]): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    // MARK: gemm

    /// One GEMM shape: op(A) m×k times op(B) k×n.
    struct Shape {
        var m: Int, n: Int, k: Int
        var transA = false, transB = false
        var what: String
        var label: String { "\(m)×\(n)×\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")" }
        var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The products of the reference VAE's 784→400 and 400→784 layers on a batch of 128
    /// (forward NN, weight gradient TN, input gradient NT) and a square 1024³.
    static let shapes: [Shape] = [
        Shape(m: 128, n: 400, k: 784, what: "encoder forward x·W"),
        Shape(m: 784, n: 400, k: 128, transA: true, what: "encoder weight gradient xᵀ·dY"),
        Shape(m: 128, n: 784, k: 400, what: "decoder forward h·W"),
        Shape(m: 400, n: 784, k: 128, transA: true, what: "decoder weight gradient hᵀ·dY"),
        Shape(m: 128, n: 400, k: 784, transB: true, what: "decoder input gradient dY·Wᵀ"),
        Shape(m: 1024, n: 1024, k: 1024, what: "square"),
    ]

    /// GFLOP/s of our `gemm` against numpy's matmul (float32, same shapes and transposes, best
    /// of three timed loops of about 0.3 s each for both).
    static func gemmBench(_ a: CommandArguments) throws -> Int32 {
        let scale = try a.positiveDouble("repeats-scale") ?? 1
        header()
        let repeats = shapes.map { max(3, Int((scale * 0.3 * 150e9 / $0.flops).rounded())) }
        // numpy runs before and after ours and each side keeps its best, so that a burst of
        // load from elsewhere on a shared machine does not decide the comparison.
        var numpy = numpyGFLOPS(repeats: repeats)
        var ours: [Double] = []
        for (s, r) in zip(shapes, repeats) {
            let best = (0..<3).map { _ in
                benchmarkGEMM(m: s.m, n: s.n, k: s.k, repeats: r, transA: s.transA ? .transposed : .none,
                              transB: s.transB ? .transposed : .none).gflops
            }.max()!
            ours.append(best)
        }
        switch (numpy, numpyGFLOPS(repeats: repeats)) {
        case (.success(let a), .success(let b)): numpy = .success(zip(a, b).map { max($0, $1) })
        case (.failure, let second): numpy = second
        default: break
        }
        if case .failure(let why) = numpy { print("numpy: skipped (\(why))") }
        let np = try? numpy.get()
        print("shape (m×n×k, op)      what                              elbo GFLOP/s   numpy GFLOP/s   ratio")
        for (i, s) in shapes.enumerated() {
            let theirs = np.map { String(format: "%13.1f   %5.2f", $0[i], ours[i] / $0[i]) } ?? "            -       -"
            print(s.label.padding(toLength: 23, withPad: " ", startingAt: 0)
                + s.what.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "%12.1f  ", ours[i]) + theirs)
        }
        print("load average after: \(loadAverage)")
        return 0
    }

    /// python3, numpy or torch could not run a peer benchmark here.
    struct PythonUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// numpy's float32 matmul on `shapes` (same transposes, best of three timed loops), run by
    /// python3 with as many BLAS threads as our gemm uses.
    static func numpyGFLOPS(repeats: [Int]) -> Result<[Double], PythonUnavailable> {
        let spec = zip(shapes, repeats).map { "[\($0.m),\($0.n),\($0.k),\($0.transA ? 1 : 0),\($0.transB ? 1 : 0),\($1)]" }
            .joined(separator: ",")
        let script = """
            import json, sys, time
            import numpy as np
            out = []
            for m, n, k, ta, tb, reps in json.loads(sys.argv[1]):
                rng = np.random.default_rng(42)
                a = rng.random((k, m) if ta else (m, k), dtype=np.float32) - 0.5
                b = rng.random((n, k) if tb else (k, n), dtype=np.float32) - 0.5
                A = a.T if ta else a
                B = b.T if tb else b
                c = np.empty((m, n), dtype=np.float32)
                np.matmul(A, B, out=c)
                best = 0.0
                for _ in range(3):
                    t = time.perf_counter()
                    for _ in range(reps):
                        np.matmul(A, B, out=c)
                    best = max(best, 2.0 * m * n * k * reps / (time.perf_counter() - t) / 1e9)
                out.append(best)
            print(json.dumps(out))
            """
        let threads = "\(defaultGEMMThreads)"
        let result = runProcess(["python3", "-c", script, "[\(spec)]"],
                                environment: ["OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads])
        let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, let values = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [Double],
              values.count == shapes.count else {
            return .failure(PythonUnavailable(description: "python3 with numpy not available: \(last)"))
        }
        return .success(values)
    }

    // MARK: kernel

    /// Loss and gradient of every generated kernel on a batch of 128 MNIST-sized examples,
    /// against reading the kernel's inputs once; for the reference VAE loss also against the
    /// same loss and gradient in PyTorch autograd (`KernelPeer`), alternating the two for
    /// `--rounds` rounds so that both see the same background load, each keeping its best.
    static func kernelBench(_ a: CommandArguments) throws -> Int32 {
        let repeats = try a.int("repeats") ?? 200
        let rounds = max(1, try a.int("rounds") ?? 3)
        let overrides = try ModelSetup.parseDimensionOverrides(a.all("dim"))
        header()
        for kernel in KernelRegistry.all {
            let known = Set(kernel.descriptor.dimensions)
            guard let dims = try? ModelSetup.resolveDimensions(kernel.descriptor, overrides: overrides.filter { known.contains($0.key) }) else {
                print("\(kernel.descriptor.name): skipped (give sizes of \(kernel.descriptor.dimensions.joined(separator: ", ")) with --dim NAME=N)")
                continue
            }
            let reference = kernel.descriptor.name == "VaeBernoulliLoss"
            let withPeer = reference && !a.has("skip-peer")
            var best = KernelBenchmark.Timing.none
            var saturated = Double.infinity
            var peer: KernelPeer.Timing?
            var peerFailure: String?
            for _ in 0..<(withPeer ? rounds : 1) {
                best = best.best(with: KernelBenchmark.run(kernel, dims: dims, batch: 128, repeats: repeats))
                if reference {
                    // Saturated logits (|f| up to about 200): the same time, or a slow path is hit.
                    saturated = min(saturated, KernelBenchmark.run(kernel, dims: dims, batch: 128, repeats: repeats,
                                                                   scale: ["f": 50]).lossGradient)
                }
                guard withPeer, peerFailure == nil else { continue }
                switch KernelPeer.time(k: dims["k"] ?? 784, m: dims["m"] ?? 20, batch: 128, repeats: repeats,
                                       threads: KernelParallel.threads) {
                case .success(let t):
                    peer = KernelPeer.Timing(logits: min(t.logits, peer?.logits ?? .infinity),
                                             peer: min(t.peer, peer?.peer ?? .infinity))
                case .failure(let why): peerFailure = why.description
                }
            }
            print("\(kernel.descriptor.name) (batch 128, \(describeDimensions(dims))): \(timingSummary(best))")
            let lossGrad = best.lossGradient
            if reference {
                print(String(format: "  with logits f × 50 (saturated): loss+gradient %.1f µs", saturated * 1e6))
            }
            if let t = peer {
                print(String(format: "  PyTorch autograd of the same loss and gradient (%d threads, best of %d × %d rounds):",
                             KernelParallel.threads, repeats, rounds))
                print(String(format: "    binary_cross_entropy_with_logits: %.1f µs, elbo %.1f× faster", t.logits * 1e6, t.logits / lossGrad))
                print(String(format: "    sigmoid + binary_cross_entropy (torch_vae.py's loss_fn): %.1f µs, elbo %.1f× faster",
                             t.peer * 1e6, t.peer / lossGrad))
            } else if let why = peerFailure {
                print("  PyTorch: skipped (\(why))")
            }
        }
        print("load average after: \(loadAverage)")
        return 0
    }
}
