import Foundation
import ELBOCodegen

/// `elbo generate [--check] [--out DIR] [--specs DIR]`: writes the loss kernels of the checked
/// objectives to `Generated/`, or with `--check` lists the files that are stale.
enum GenerateCommand {
    static let command = Command(
        name: "generate", summary: "write the loss kernels of the checked objectives to Generated/",
        options: [
            .flag("check", "write nothing; list the generated files that are stale (exit 1 if any)"),
            .value("out", "DIR", "where the kernels go (default Generated)"),
            .value("specs", "DIR", "where the specs are read from (default Specs)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected argument '\(a.positionals[0])'") }
        let check = a.has("check")
        let out = a.string("out") ?? "Generated"
        _ = try OutputPath.directory(out)
        let specs = a.string("specs") ?? "Specs"
        let programs: [LossProgram]
        do { programs = try LossPrograms.all(specsDirectory: specs) } catch {
            printError("elbo generate: \(error)")
            return 1
        }
        if check {
            let stale = KernelGenerator.staleFiles(programs, in: out)
            if stale.isEmpty {
                print("\(out): \(programs.count) kernel(s) up to date")
                return 0
            }
            for s in stale { print("stale: \(s)") }
            printError("elbo generate --check: \(stale.count) file(s) in \(out) are stale; run `elbo generate`")
            return 1
        }
        do {
            let written = try KernelGenerator.write(programs, to: out)
            for w in written { print("wrote \(w)") }
            return 0
        } catch {
            printError("elbo generate: \(error)")
            return 1
        }
    }
}
