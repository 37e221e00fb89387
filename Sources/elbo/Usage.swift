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
      train SPEC [--objective NAME] --epochs N --batch B --seed S --out DIR …
      sample CHECKPOINT --n 64 --out FILE.png
      help                         this text
    """
}

/// Subcommands registered by other files, so `main.swift` stays a dispatcher.
enum Subcommands {
    static var table: [String: ([String]) -> Int32] {
        ["generate": GenerateCommand.run, "gradcheck": GradcheckCommand.run, "kernel": KernelCommand.run]
    }
}

/// Writes to standard error.
func printError(_ s: String) {
    var s = s
    if !s.hasSuffix("\n") { s += "\n" }
    FileHandle.standardError.write(s.data(using: .utf8)!)
}

import Foundation
