import Foundation
import ELBOCodegen

/// `elbo generate [--check] [--out DIR] [--exported DIR] [--specs DIR]`: writes the loss
/// kernels of the checked objectives to `Generated/` and their PyTorch and JAX modules to
/// `Exported/`, or with `--check` lists the files that are stale.
enum GenerateCommand {
    static let command = Command(
        name: "generate", summary: "write the loss kernels of the checked objectives to Generated/ and their PyTorch and JAX modules to Exported/",
        options: [
            .flag("check", "write nothing; list the generated and exported files that are stale (exit 1 if any)"),
            .value("out", "DIR", "where the kernels go (default Generated)"),
            .value("exported", "DIR", "where the PyTorch and JAX modules of the specs' objectives go (default Exported)"),
            .value("specs", "DIR", "where the specs are read from (default Specs)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected argument '\(a.positionals[0])'") }
        let check = a.has("check")
        let out = a.string("out") ?? "Generated"
        _ = try OutputPath.directory(out)
        let exported = a.string("exported") ?? PythonExporter.defaultDirectory
        _ = try OutputPath.directory(exported, option: "--exported")
        let specs = a.string("specs") ?? "Specs"
        let specPrograms: [LossProgram]
        do { specPrograms = try LossPrograms.fromSpecs(specs) } catch {
            printError("elbo generate: \(error)")
            return 1
        }
        // The same list as `LossPrograms.all`, without checking the specs twice.
        let programs = LossProgramFixtures.all + specPrograms
        if check {
            let stale = KernelGenerator.staleFiles(programs, in: out)
            let staleExports = PythonExporter.staleFiles(specPrograms, in: exported)
            if stale.isEmpty && staleExports.isEmpty {
                print("\(out): \(programs.count) kernel(s) up to date")
                print("\(exported): \(2 * specPrograms.count) module(s) up to date")
                return 0
            }
            for s in stale + staleExports { print("stale: \(s)") }
            printError("elbo generate --check: \(stale.count + staleExports.count) file(s) in \(out) and \(exported) are stale; run `elbo generate`")
            return 1
        }
        do {
            let written = try KernelGenerator.write(programs, to: out) + PythonExporter.write(specPrograms, to: exported)
            for w in written { print("wrote \(w)") }
            return 0
        } catch {
            printError("elbo generate: \(error)")
            return 1
        }
    }
}
