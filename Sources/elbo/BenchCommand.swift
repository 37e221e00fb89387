import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo bench epoch | gemm | kernel | chain`: timings that compare the project with its peers on this
/// machine, printed as plain figures (none of them is a test).
enum BenchCommand {
    static let command = Command(
        name: "bench", summary: "time the project against its peers on this machine (plain figures, none of them a test)",
        subcommands: [
            Command(name: "epoch", summary: "one training epoch of the reference VAE against the PyTorch and JAX peers (../shared/peers)",
                    options: epochOptions, body: epoch),
            Command(name: "gemm", summary: "the matrix product against numpy's matmul",
                    options: gemmOptions, body: gemmBench),
            Command(name: "kernel", summary: "each generated kernel against reading its inputs once (and the reference VAE loss against PyTorch autograd)",
                    options: kernelOptions, body: kernelBench),
            BenchChain.command,
        ])

    static let gemmOptions: [Option] = [
        .value("repeats-scale", "X", "scale the number of repetitions (default 1)"),
        .value("python", "PATH", "the Python interpreter with numpy (default python3)"),
    ]
    static let kernelOptions: [Option] = [
        .value("repeats", "N", "repetitions per timing (default 200)"),
        .value("rounds", "N", "alternate with the peer N times (default 1)"),
        .value("dim", "NAME=VALUE", repeatable: true, "the size of a dimension symbol"),
        .value("python", "PATH", "the Python interpreter with torch (default python3)"),
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
        let python = a.string("python") ?? "python3"
        header()
        let repeats = shapes.map { max(3, Int((scale * 0.3 * 150e9 / $0.flops).rounded())) }
        // numpy runs before and after ours and each side keeps its best, so that a burst of
        // load from elsewhere on a shared machine does not decide the comparison.
        var numpy = numpyGFLOPS(repeats: repeats, python: python)
        var ours: [Double] = []
        for (s, r) in zip(shapes, repeats) {
            let best = (0..<3).map { _ in
                benchmarkGEMM(m: s.m, n: s.n, k: s.k, repeats: r, transA: s.transA ? .transposed : .none,
                              transB: s.transB ? .transposed : .none).gflops
            }.max()!
            ours.append(best)
        }
        switch (numpy, numpyGFLOPS(repeats: repeats, python: python)) {
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
    /// `python` with as many BLAS threads as our gemm uses.
    static func numpyGFLOPS(repeats: [Int], python: String) -> Result<[Double], PythonUnavailable> {
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
        let result = runProcess([python, "-c", script, "[\(spec)]"],
                                environment: ["OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads])
        let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, let values = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [Double],
              values.count == shapes.count else {
            return .failure(PythonUnavailable(description: "\(python) with numpy not available: \(last)"))
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
        let python = a.string("python") ?? "python3"
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
                switch KernelPeer.time(python: python, k: dims["k"] ?? 784, m: dims["m"] ?? 20, batch: 128, repeats: repeats,
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
