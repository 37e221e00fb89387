import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo kernel NAME --describe | --eval FILE.json | --benchmark [--repeats N]`.
enum KernelCommand {
    static let command = Command(
        name: "kernel", arguments: "NAME",
        summary: "describe a generated kernel, evaluate it on inputs from a JSON file, or time it",
        details: "Give one of --describe, --eval FILE.json and --benchmark.",
        options: [
            .flag("describe", "print the kernel's inputs, parameters, networks and loss"),
            .value("eval", "FILE.json", "evaluate the loss and gradients in Double on {\"dims\", \"inputs\", \"params\"}"),
            .flag("benchmark", "time loss+gradient at the sizes it trains with"),
            .value("repeats", "N", "repetitions of --benchmark (default 200)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.count == 1 else {
            throw CommandFailure.usage(a.positionals.isEmpty ? "no kernel NAME given" : "one kernel NAME expected, got \(a.positionals.joined(separator: " "))")
        }
        let name = a.positionals[0]
        guard let kernel = KernelRegistry.kernel(named: name) else {
            throw CommandFailure.input("no kernel named '\(name)'; have \(KernelRegistry.all.map { $0.descriptor.name }.joined(separator: ", "))")
        }
        let modes = ["describe", "eval", "benchmark"].filter(a.has)
        guard modes.count == 1 else {
            throw CommandFailure.usage(modes.isEmpty ? "say what to do: --describe, --eval FILE.json or --benchmark"
                                       : "give one of --describe, --eval and --benchmark, not \(modes.map { "--" + $0 }.joined(separator: " and "))")
        }
        if a.has("repeats"), !a.has("benchmark") { throw CommandFailure.usage("--repeats goes with --benchmark") }
        switch modes[0] {
        case "describe": print(describe(kernel.descriptor), terminator: ""); return 0
        case "eval": return eval(kernel, path: a.string("eval")!)
        default: return benchmark(kernel, repeats: try a.int("repeats") ?? 200)
        }
    }

    static func describe(_ d: KernelDescriptor) -> String {
        var s = "kernel \(d.name)\n  from \(d.specPath) (derivation \(d.derivation)), objective \(d.objective), spec hash \(d.specHash)\n"
        s += "  loss per example: \(d.loss)\n  dimensions: \(d.dimensions.joined(separator: ", "))\n  inputs (per example):\n"
        for i in d.inputs {
            let shape = i.dimension.map { "[\($0)]" } ?? "scalar"
            var notes: [String] = []
            if i.readByLoss { notes.append("read by the loss") }
            if i.hasGradient { notes.append("gradient") }
            s += "    \(i.name) \(shape) \(i.role.rawValue)\(notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")")\n"
        }
        s += "  params:" + (d.params.isEmpty ? " none\n" : "\n")
        for p in d.params {
            s += "    \(p.name) \(p.shape.isEmpty ? "scalar" : "[" + p.shape.joined(separator: ", ") + "]") initial \(p.initialValue) (gradient)\n"
        }
        for smp in d.samplers {
            s += "  sampler: \(smp.output) = \(smp.mean) + sqrt(\(smp.variance)) * \(smp.noise)  [\(smp.dimension)]; "
                + "backward into \((smp.gradientInputs + smp.gradientParams).joined(separator: ", "))\n"
        }
        for n in d.networks { s += "  network \(n.name): \(n.inputs.joined(separator: ", ")) -> \(n.outputs.joined(separator: ", "))\n" }
        for t in d.transforms { s += "  transform: \(t.output) = \(t.function)(\(t.input))\n" }
        s += "  outputs: loss (mean over the batch), gradients of \((d.inputs.filter(\.hasGradient).map(\.name) + d.params.map(\.name)).joined(separator: ", "))\n"
        return s
    }

    /// Reads `{"dims": {...}, "inputs": {name: [[…] per example]}, "params": {name: […] or number}}`
    /// and prints `{"loss": …, "gradients": {name: …}}`, evaluated in Double.
    static func eval(_ kernel: any ObjectiveKernel.Type, path: String) -> Int32 {
        let d = kernel.descriptor
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): error: " + (FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")); return 2
        }
        let input: KernelEvalInput
        do { input = try KernelEvalInput(data: data, descriptor: d) } catch {
            printError("\(path): error: \(error)"); return 2
        }
        let (loss, gradients) = input.evaluate(kernel)
        let out: [String: Any] = ["kernel": d.name, "loss": loss, "gradients": gradients]
        guard JSONSerialization.isValidJSONObject(out),
              let text = try? JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]) else {
            printError("elbo kernel: the loss or a gradient is not finite (loss \(loss))"); return 1
        }
        print(String(decoding: text, as: UTF8.self))
        return 0
    }

    /// Times the kernel at the sizes it trains with (`ModelSetup.resolveDimensions`, as
    /// `elbo bench kernel` and `elbo train`).
    static func benchmark(_ kernel: any ObjectiveKernel.Type, repeats: Int) -> Int32 {
        let dims: [String: Int]
        do { dims = try ModelSetup.resolveDimensions(kernel.descriptor, overrides: [:]) } catch {
            printError("elbo kernel: \(error)")
            return 2
        }
        let timing = KernelBenchmark.run(kernel, dims: dims, batch: 128, repeats: repeats)
        print("\(kernel.descriptor.name) (batch 128, \(describeDimensions(dims))): \(timingSummary(timing)) (best of \(repeats))")
        return 0
    }
}

/// "loss+gradient … µs; reading the inputs once … µs on one thread (ratio …), … µs on N threads (ratio …)".
func timingSummary(_ t: KernelBenchmark.Timing) -> String {
    String(format: "loss+gradient %.1f µs; reading the inputs once %.1f µs on one thread (ratio %.2f), %.1f µs on %d threads (ratio %.2f)",
           t.lossGradient * 1e6, t.read * 1e6, t.lossGradient / t.read, t.parallelRead * 1e6, KernelParallel.threads,
           t.lossGradient / t.parallelRead)
}
