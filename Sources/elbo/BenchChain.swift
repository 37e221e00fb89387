import Foundation
import ELBOAlgebra
import ELBOCheck
import ELBOSpec

/// `elbo bench chain`: the explicit L-layer hierarchical VAE of issue 10 (generated text,
/// `HierarchicalChainSpec`) checked at several L, with the time split between the proof and
/// the witness, so that where the time goes is visible.
enum BenchChain {
    static let command = Command(
        name: "chain", summary: "check an explicit L-layer hierarchical VAE at several L (the bound, the expansion, the top KL)",
        details: "Per L: the verdicts, the seconds spent by the symbolic engine, by the witness and by the whole\n"
            + "check (proof, witness and its more thorough retry when no proof is found), and the peak memory.",
        options: [
            .value("layers", "L,L,…", "the sizes (default 8,16,24,32,64)"),
            .flag("wrong-top", "take the top KL against q(zL | x) in place of q(zL | zL-1), a false step"),
            .flag("witness-only", "time the witness alone (skip the proof and the full check)"),
            .value("print", "L", "print the generated text for L and stop"),
        ],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected argument '\(a.positionals[0])'") }
        if let l = try a.int("print", minimum: 2) {
            print(HierarchicalChainSpec(layers: l, wrongTopMeasure: a.has("wrong-top")).text, terminator: "")
            return 0
        }
        let layers = try (a.string("layers") ?? "8,16,24,32,64").split(separator: ",").map { s -> Int in
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= 2, n <= 100_000 else {
                throw CommandFailure.usage("--layers takes sizes from 2 to 100000, comma-separated")
            }
            return n
        }
        BenchCommand.header()
        print("L      witness s   prover s   check s   verdicts")
        for l in layers {
            let text = HierarchicalChainSpec(layers: l, wrongTopMeasure: a.has("wrong-top")).text
            let file = try SpecParser.parse(source: text, path: "hierarchical_chain_\(l).elbo")
            let derivation = file.derivations[0]
            let witness = WitnessEngine(declarations: derivation.declarations)
            var previous = derivation.start!
            var witnessSeconds = 0.0, proverSeconds = 0.0
            var outcomes: [String] = []
            for step in derivation.steps {
                let t0 = Date()
                let o = witness.check(lhs: previous.withExactNumbers, rhs: step.expr.withExactNumbers,
                                      relation: step.relation, assumptions: step.assumptions)
                witnessSeconds += Date().timeIntervalSince(t0)
                switch o {
                case .agrees: outcomes.append("agrees")
                case .disagrees: outcomes.append("disagrees")
                case .skipped(let why): outcomes.append("skipped (\(why))")
                }
                if !a.has("witness-only") {
                    let t1 = Date()
                    _ = SymbolicProver(declarations: derivation.declarations)
                        .prove(lhs: previous, rhs: step.expr, relation: comparison(step.relation), assumptions: step.assumptions)
                    proverSeconds += Date().timeIntervalSince(t1)
                }
                previous = step.expr
            }
            var checkSeconds = Double.nan
            var verdicts = "witness " + outcomes.joined(separator: ", ")
            if !a.has("witness-only") {
                let t2 = Date()
                let report = Checker().check(derivation).report
                checkSeconds = Date().timeIntervalSince(t2)
                verdicts = report.steps.map(\.verdict.rawValue).joined(separator: ", ") + "; " + verdicts
            }
            func f(_ x: Double) -> String { x.isNaN ? "   -    " : String(format: "%8.3f", x) }
            print(String(format: "%-6d", l) + " \(f(witnessSeconds))   \(f(proverSeconds))  \(f(checkSeconds))   \(verdicts)")
        }
        print("peak memory (max RSS): \(peakMegabytes) MB")
        return 0
    }

    static func comparison(_ r: Relation) -> ELBOAlgebra.Comparison {
        switch r {
        case .equal, .approximately: return .equal
        case .greaterOrEqual: return .greaterOrEqual
        case .lessOrEqual: return .lessOrEqual
        case .equalUpToConstant: return .equalUpToConstant
        case .proportional: return .proportional
        }
    }

    /// The process's peak resident set, from /proc/self/status.
    static var peakMegabytes: String {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return "unknown" }
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return String(kb / 1024)
    }
}
