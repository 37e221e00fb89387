import Foundation
import ELBOCheck
import ELBOSpec

/// `elbo check [PATH…]`: checks every step of the derivations in the spec files.
enum CheckCommand {
    static let command = Command(
        name: "check", arguments: "[PATH…]",
        summary: "check every step of the derivations in PATH (files or directories; default Specs/)",
        details: """
            A .md, .tex or .txt PATH is a paper's or note's text: its display math is checked against
            the declarations of --model DECLS.elbo (see "Derivations straight from LaTeX" in Specs/README.md).
            exit 0: every step meets its expectation; 1: a step is refuted or errs unexpectedly;
            2: usage or input error (diagnostics as path:line:column).
            """,
        options: [
            .value("format", "text|json|html", "the report's format (default text)"),
            .value("out", "FILE", "write the report to FILE instead of standard output"),
            .value("model", "DECLS.elbo", "declarations for the display math of .md, .tex and .txt files"),
            .flag("verbose", short: "v", "show the rules and the message of every step"),
            .flag("explain", "print each proof's ordered rule applications and the proof sizes"),
            .optionalInteger("benchmark", "N", "time the whole check, best and median of N runs (default 20)"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        let format = try a.choice("format", ["text", "json", "html"]) ?? "text"
        let outURL = try a.string("out").map { try OutputPath.file($0) }
        var paths = a.positionals
        if paths.isEmpty { paths = ["Specs"] }
        var runner = CheckRun()
        runner.modelPath = a.string("model")
        if a.has("benchmark") {
            return runBenchmark(runner, paths: paths, repeats: try a.int("benchmark") ?? 20)
        }
        let (report, diagnostics) = runner.run(paths: paths)
        for d in diagnostics { printError(d.description) }
        let errors = diagnostics.filter { $0.severity == .error }
        var text: String
        switch format {
        case "json": text = report.json() + "\n"
        case "html": text = report.html(sources: CheckRun.sources(of: report))
        default:
            text = report.text(verbose: a.has("verbose"), explain: a.has("explain"))
            // The summary counts checked steps only; say which files were not checked at all.
            let unchecked = Set(errors.map(\.location.file)).sorted()
            if !unchecked.isEmpty {
                text += "not checked (errors above): " + unchecked.joined(separator: ", ") + "\n"
            }
        }
        if let out = a.string("out"), let outURL {
            try OutputPath.write(Data(text.utf8), to: outURL)
            printError("wrote \(out)")
        } else {
            print(text, terminator: "")
        }
        if !errors.isEmpty { return 2 }
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
