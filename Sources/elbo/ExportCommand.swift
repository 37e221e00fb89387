import Foundation
import ELBOCodegen

/// `elbo export SPEC [--objective NAME] --to pytorch|jax [--out FILE.py]`: the checked loss of
/// one objective as a self-contained PyTorch or JAX module.
enum ExportCommand {
    static let command = Command(
        name: "export", arguments: "SPEC",
        summary: "write the checked loss of an objective as a PyTorch or JAX module",
        details: """
            The module imports only torch (or jax and jax.numpy) and defines INPUTS, LOSS_INPUTS, \
            NETWORKS, SAMPLERS, one sample_<name>(...) per reparameterised sampler and \
            loss(**inputs), the mean over the batch of the negative bound in nats per example \
            (see README.md, "Exporting to PyTorch and JAX"). `elbo generate` keeps the exports of \
            Specs/ in Exported/ and `elbo generate --check` reports stale ones.
            """,
        options: [
            .value("to", "pytorch|jax", "the framework (required)"),
            .value("objective", "NAME", "the objective to export (default: the spec's only one)"),
            .value("out", "FILE.py", "where the module goes (default: standard output)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.count == 1 else {
            throw CommandFailure.usage(a.positionals.isEmpty ? "no SPEC given"
                                       : "one SPEC expected, got \(a.positionals.joined(separator: " "))")
        }
        guard let to = try a.choice("to", PythonBackend.allCases.map(\.rawValue)), let backend = PythonBackend(rawValue: to) else {
            throw CommandFailure.usage("say which framework: --to pytorch or --to jax")
        }
        let out = try a.string("out").map { try OutputPath.file($0) }
        let spec = a.positionals[0]
        guard FileManager.default.fileExists(atPath: spec) else { throw CommandFailure.input("\(spec): error: no such file") }
        let programs: [LossProgram]
        do { programs = try LossPrograms.fromSpecFile(spec) } catch {
            throw CommandFailure.input("\(error)")
        }
        let names = programs.map { PythonExporter.objectiveName(of: $0) }
        let program: LossProgram
        if let wanted = a.string("objective") {
            guard let i = names.firstIndex(of: wanted) else {
                throw CommandFailure.input("\(spec): no objective '\(wanted)' with a loss to export; it has "
                                           + (names.isEmpty ? "none" : names.joined(separator: ", ")))
            }
            program = programs[i]
        } else {
            guard programs.count == 1 else {
                throw CommandFailure.usage(programs.isEmpty ? "\(spec) declares no objective with a loss to export"
                    : "\(spec) declares \(programs.count) objectives (\(names.joined(separator: ", "))); choose one with --objective")
            }
            program = programs[0]
        }
        let text: String
        do { text = try PythonExporter.source(for: program, backend: backend) } catch {
            throw CommandFailure.failed("cannot export \(names[programs.firstIndex(of: program)!]): \(error)")
        }
        guard let out else {
            print(text, terminator: "")
            return 0
        }
        try OutputPath.write(Data(text.utf8), to: out)
        print("wrote \(out.path) (\(backend.displayName), objective \(PythonExporter.objectiveName(of: program)))")
        return 0
    }
}
