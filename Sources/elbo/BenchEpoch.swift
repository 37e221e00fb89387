import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo bench epoch`: one training epoch of the reference VAE with the generated kernel against
/// the same model in PyTorch and in JAX (the scripts in ../shared/peers), alternating in one run
/// so that all of them see the same background load.
extension BenchCommand {
    static let epochOptions: [Option] = [
        .value("data", "DIR", "the MNIST files (default: the bundled copy)"),
        .value("rounds", "N", "alternate elbo and the peers N times, keep each one's best (default 1)"),
        .value("peers", "LIST", "comma-separated peers: torch, jax or FILE.py (default torch,jax; the scripts in ../shared/peers)"),
        .value("python", "PATH", "the Python interpreter that runs the peers (default python3)"),
        .flag("skip-peer", "time elbo only"),
    ]

    /// A peer that can run here: its label, script and the modules it needs.
    struct EpochPeer {
        var label: String
        var script: String
        var modules: String
    }

    /// The peers named by `--peers`, each checked to be runnable with `python`; prints why one
    /// is skipped.
    static func epochPeers(_ a: CommandArguments, python: String) throws -> [EpochPeer] {
        if a.has("skip-peer") {
            print("peers:   skipped (--skip-peer)")
            return []
        }
        let names = (a.string("peers") ?? "torch,jax").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var peers: [EpochPeer] = []
        for name in names where !name.isEmpty {
            let known: [String: (script: String, label: String, modules: String)] = [
                "torch": ("torch_vae.py", "PyTorch", "torch, numpy"),
                "jax": ("jax_vae.py", "JAX", "jax, numpy"),
            ]
            let peer: EpochPeer
            if let k = known[name] {
                guard let script = peerScript(k.script) else {
                    print("peer \(name): skipped: ../shared/peers/\(k.script) not found (give its path in --peers)")
                    continue
                }
                peer = EpochPeer(label: k.label, script: script, modules: k.modules)
            } else if name.hasSuffix(".py") {
                guard FileManager.default.fileExists(atPath: name) else { throw CommandFailure.input("\(name): no such peer script") }
                peer = EpochPeer(label: URL(fileURLWithPath: name).lastPathComponent, script: name, modules: "numpy")
            } else {
                throw CommandFailure.usage("--peers: unknown peer '\(name)' (torch, jax or a FILE.py)")
            }
            let check = runProcess([python, "-c", "import \(peer.modules)"], environment: [:])
            if check.status != 0 {
                let why = check.output.split(separator: "\n").last.map(String.init) ?? "status \(check.status)"
                print("peer \(name): skipped: \(python) cannot import \(peer.modules) (\(why))")
                continue
            }
            peers.append(peer)
        }
        return peers
    }

    /// One training epoch of the reference VAE (784-400-20, batch 128, Adam 1e-3, seed 1) with
    /// the generated kernel, then one of each peer in a subprocess, `--rounds` times; each side
    /// keeps its best training time (the span every peer prints as `epoch_seconds`: shuffle and
    /// steps, no test pass), and the ratios to each peer and to the faster one are printed.
    static func epoch(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected \(a.positionals.joined(separator: " "))") }
        let rounds = try a.int("rounds") ?? 1
        let python = a.string("python") ?? "python3"
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
        var peers = try epochPeers(a, python: python)
        guard let dataDirectory = dataURL?.path ?? MNIST.bundledDirectory?.path else {
            throw CommandFailure.input("no MNIST directory for the peers (give --data DIR)")
        }
        if !peers.isEmpty && !FileManager.default.fileExists(atPath: dataDirectory + "/train-images-idx3-ubyte.gz") {
            print("peers:   skipped: the peers read gzip IDX files, not found in \(dataDirectory)")
            peers = []
        }

        let threads = "\(defaultGEMMThreads)"
        var best = Double.infinity
        var bestPeer = [Double](repeating: .infinity, count: peers.count)
        for round in 1...rounds {
            let (seconds, loss) = try timeEpoch(kernel, train: train)
            best = min(best, seconds)
            print(String(format: "elbo:    1 epoch of %@ (784-400-20, batch 128, seed 1) on %d examples: %.2f s (%.0f examples/s), train loss %.3f%@",
                         kernel.descriptor.name, train.count, seconds, Double(train.count) / seconds, loss, round == 1 ? note : ""))
            for (i, peer) in peers.enumerated() {
                let result = runProcess([python, peer.script, dataDirectory, "1"], environment: ["THREADS": threads])
                guard result.status == 0, let peerSeconds = field("epoch_seconds", in: result.output) else {
                    throw CommandFailure.failed("\(peer.script) failed (status \(result.status)):\n\(result.output)")
                }
                bestPeer[i] = min(bestPeer[i], peerSeconds)
                let peerLoss = field("train_loss", in: result.output).map { String(format: ", train loss %.3f", $0) } ?? ""
                print(String(format: "%@ 1 epoch of %@ (THREADS=%@): %.2f s%@", (peer.label + ":").padding(toLength: 8, withPad: " ", startingAt: 0),
                             URL(fileURLWithPath: peer.script).lastPathComponent, threads, peerSeconds, peerLoss))
            }
        }
        let rest = rounds > 1 ? ", best of \(rounds) rounds each" : ""
        for (peer, seconds) in zip(peers, bestPeer) {
            print(String(format: "ratio:   elbo / %@ training time = %.2f s / %.2f s = %.2f%@", peer.label, best, seconds, best / seconds, rest))
        }
        if peers.count > 1, let fastest = bestPeer.indices.min(by: { bestPeer[$0] < bestPeer[$1] }) {
            print(String(format: "ratio:   elbo / the faster peer (%@) = %.2f (goal: at most 0.6)", peers[fastest].label, best / bestPeer[fastest]))
        }
        print("load average after: \(loadAverage)")
        return 0
    }

    /// Trains one epoch of the reference model with kernel `K`; returns the training seconds
    /// (without the test pass, which is not run) and the mean loss.
    static func timeEpoch<K: ObjectiveKernel>(_ kernel: K.Type, train: Dataset) throws -> (Double, Double) {
        let dims = try ModelSetup.resolveDimensions(K.descriptor, overrides: [:])
        var rng = RNG(seed: 1 ^ 0x1A17_0000_0000_0000)
        let model = try GraphModel<K>(dims: dims, hidden: [400], rng: &rng)
        let trainer = Trainer(model: model, configuration: TrainerConfiguration(epochs: 1, batchSize: 128, seed: 1, showProgress: false))
        trainer.log = { _ in }
        guard try trainer.fit(train: train) == .completed, let record = trainer.state.history.last else {
            throw CommandFailure.failed("the benchmark epoch did not complete")
        }
        return (record.trainSeconds ?? record.seconds, record.trainLoss)
    }

    /// A peer script next to the project: `../shared/peers/NAME` from the working directory or
    /// from the package root.
    static func peerScript(_ name: String) -> String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = ["../shared/peers/" + name,
                          packageRoot.deletingLastPathComponent().appendingPathComponent("shared/peers/" + name).path]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
