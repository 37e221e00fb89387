/// Help text of the command line.
enum Usage {
    static let text = """
    usage: elbo <command> [options]

    commands:
      check [PATH…] [--format text|json|html] [--verbose] [--benchmark [N]]
            check every step of the derivations in PATH (default Specs/).
            exit 0: every step meets its expectation; 1: a step is refuted or errs
            unexpectedly; 2: usage or input error (diagnostics as path:line:column).
      generate [--check]           write the loss kernels of checked objectives to Generated/
      gradcheck [NAME…]            check every generated gradient numerically
      kernel NAME --describe | --eval FILE.json
      train SPEC [--objective NAME] [--epochs N=10] [--batch B=128] [--seed S=1]
            [--out DIR=runs/OBJECTIVE] [--limit N] [--resume | --force] [--format text|json]
            [--data DIR] [--hidden 400] [--lr 1e-3] [--dim NAME=VALUE …]
            train the objective's generated kernel on MNIST; a checkpoint and samples.png,
            reconstructions.png, loss.png in DIR after every epoch; Ctrl-C saves and stops.
      sample CHECKPOINT_DIR --out FILE.png [--n 64] [--seed S]
            decode samples from the prior of a trained model (one row per class if conditional)
      bench epoch [--data DIR] [--rounds N] | gemm | kernel [--rounds N] [--skip-peer]
            time a training epoch against the PyTorch peer (../shared/peers/torch_vae.py),
            gemm against numpy's matmul, each kernel against reading its inputs once (and
            the reference VAE loss against the same loss in PyTorch autograd)
      help                         this text
    """
}

/// Subcommands registered by other files, so `main.swift` stays a dispatcher.
enum Subcommands {
    static var table: [String: ([String]) -> Int32] {
        ["generate": GenerateCommand.run, "gradcheck": GradcheckCommand.run, "kernel": KernelCommand.run,
         "train": TrainCommand.run, "sample": SampleCommand.run, "bench": BenchCommand.run]
    }
}

/// Writes to standard error.
func printError(_ s: String) {
    var s = s
    if !s.hasSuffix("\n") { s += "\n" }
    FileHandle.standardError.write(s.data(using: .utf8)!)
}

import Foundation
