import Foundation
import ELBOCheck
import ELBOSpec

/// `elbo check [PATH…] [--format text|json|html] [--verbose] [--benchmark [N]]`.
enum CheckCommand {
    static func run(_ args: [String]) -> Int32 {
        var paths: [String] = []
        var format = "text"
        var verbose = false
        var benchmark = 0
        var i = 0
        while i < args.count {
            let a = args[i]
            switch a {
            case "--format":
                guard i + 1 < args.count, ["text", "json", "html"].contains(args[i + 1]) else {
                    printError("elbo check: --format takes text, json or html"); return 2
                }
                format = args[i + 1]; i += 1
            case "--verbose", "-v": verbose = true
            case "--benchmark":
                benchmark = 20
                if i + 1 < args.count, let n = Int(args[i + 1]) { benchmark = n; i += 1 }
            default:
                if a.hasPrefix("-") { printError("elbo check: unknown option '\(a)'"); return 2 }
                paths.append(a)
            }
            i += 1
        }
        if paths.isEmpty { paths = ["Specs"] }
        let runner = CheckRun()
        if benchmark > 0 { return runBenchmark(runner, paths: paths, repeats: benchmark) }
        let (report, diagnostics) = runner.run(paths: paths)
        for d in diagnostics { printError(d.description) }
        switch format {
        case "json": print(report.json())
        case "html": print(report.html())
        default:
            print(report.text(verbose: verbose), terminator: "")
            // The summary counts checked steps only; say which files were not checked at all.
            let unchecked = Set(diagnostics.filter { $0.severity == .error }.map(\.location.file)).sorted()
            if !unchecked.isEmpty {
                print("not checked (errors above): " + unchecked.joined(separator: ", "))
            }
        }
        if !diagnostics.isEmpty { return 2 }
        return report.exitStatus
    }

    /// Times the whole check (parse + both engines) of the paths, best and median of N runs.
    static func runBenchmark(_ runner: CheckRun, paths: [String], repeats: Int) -> Int32 {
        var times: [Double] = []
        var steps = 0
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (report, _) = runner.run(paths: paths)
            let t1 = DispatchTime.now().uptimeNanoseconds
            times.append(Double(t1 - t0) / 1e9)
            steps = report.summary.counts.values.reduce(0, +)
        }
        times.sort()
        print(String(format: "check %@: %d steps, best %.4f s, median %.4f s over %d runs",
                     paths.joined(separator: " "), steps, times[0], times[times.count / 2], repeats))
        return 0
    }
}
