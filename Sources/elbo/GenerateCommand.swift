import Foundation
import ELBOCodegen

/// `elbo generate [--check] [--out DIR] [--specs DIR]`: writes the loss kernels of the checked
/// objectives to `Generated/`, or with `--check` lists the files that are stale.
enum GenerateCommand {
    static func run(_ args: [String]) -> Int32 {
        var check = false
        var out = "Generated"
        var specs = "Specs"
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--check": check = true
            case "--out", "--specs":
                guard i + 1 < args.count else { printError("elbo generate: \(args[i]) takes a directory"); return 2 }
                if args[i] == "--out" { out = args[i + 1] } else { specs = args[i + 1] }
                i += 1
            default:
                printError("elbo generate: unknown argument '\(args[i])'\nusage: elbo generate [--check] [--out DIR] [--specs DIR]")
                return 2
            }
            i += 1
        }
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
