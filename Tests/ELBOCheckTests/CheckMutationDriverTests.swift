import Foundation
import XCTest
import ELBOSpec
@testable import ELBOCheck

/// The deterministic mutation driver of issue 13 over the parser and the whole check: damaged
/// copies of small specs (with and without indexed families) are parsed, and every derivation
/// that still reads is checked. Each must end in diagnostics or verdicts with messages, within a
/// time budget per input; a crash fails the run, and the fixed seed makes any failure reproduce.
/// `Fuzz/` has the libFuzzer target `check` that does the same with coverage guidance.
final class CheckMutationDriverTests: XCTestCase {
    /// SplitMix64, so that the mutants are the same on every machine.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What a mutation inserts: the language's brackets and operators, and the pieces of indexed
    /// families (bounds, ranges, member indices, slices) where off-by-one mistakes live.
    static let pieces = ["(", ")", "[", "]", "{", "}", "|", "||", "=", "≥", "≤", "-", "+", "^", "_", ",", "\n", "0", "1", "2",
                         "log ", "exp(", "E_{q(z | x)}[", "KL(", "Σ_{j=1}^{m}", "Σ_{t=2}^{T}", "∏_{i=1}^{N}", "_{t-1}",
                         "_{t+1}", "_{1:T}", "_{0:T}", "_{2:N}", "T", "N", "T-1", "for t = 1..T", "for t = 0..T",
                         "dim T ≥ 2\n", "dim N ≥ 0\n", "dim T = 1000\n", "x_T", "x_0", "expect refuted", "assuming ", "≐", "≈"]

    /// The seconds one input may take (parse and check) on a loaded two-core machine in a
    /// debug build; the slowest seed takes well under it.
    static let budget = 60.0

    /// Mutants per seed: a few seconds in all in a debug build.
    static let mutantsPerSeed = 20

    static var seeds: [String] {
        [IndexedFamilyCheckTests.plate, IndexedFamilyCheckTests.diffusion,
         (try? String(contentsOfFile: MutationTests.specsDirectory + "/vae_gaussian.elbo", encoding: .utf8)) ?? ""]
    }

    func testMutantsOfSmallSpecsGiveDiagnosticsOrVerdictsWithinTheBudget() {
        let seeds = Self.seeds
        XCTAssertFalse(seeds.contains(""), "a seed spec is missing")
        var rng = SplitMix(state: 13)
        let checker = Checker(suggestAssumptions: false)
        var (mutants, diagnosed, checkedSteps, refuted, slowest) = (0, 0, 0, 0, 0.0)
        var slowestInput = ""
        for seed in seeds {
            let chars = Array(seed)
            for _ in 0..<Self.mutantsPerSeed {
                let mutant = Self.mutate(chars, &rng)
                mutants += 1
                let start = Date()
                let parsed = SpecParser.parseRecovering(source: mutant, path: "mutant.elbo")
                if !parsed.diagnostics.isEmpty { diagnosed += 1 }
                for d in parsed.diagnostics {
                    XCTAssertGreaterThan(d.location.line, 0, d.message)
                    XCTAssertGreaterThan(d.location.column, 0, d.message)
                    XCTAssertFalse(d.message.isEmpty)
                }
                for derivation in parsed.file.derivations {
                    let report = checker.check(derivation).report
                    for step in report.steps {
                        XCTAssertFalse(step.message.isEmpty, "\(derivation.name) line \(step.line): a verdict without a message")
                        checkedSteps += 1
                        if step.verdict == .refuted { refuted += 1 }
                    }
                }
                let seconds = Date().timeIntervalSince(start)
                if seconds > slowest { (slowest, slowestInput) = (seconds, mutant) }
            }
        }
        XCTAssertLessThan(slowest, Self.budget, "the slowest mutant took \(slowest) s:\n\(slowestInput)")
        // Not vacuous: some mutants are diagnosed, and some still reach the checker.
        XCTAssertGreaterThan(diagnosed, 0)
        XCTAssertGreaterThan(checkedSteps, 0)
        print("check mutation driver: \(mutants) mutants, \(diagnosed) with diagnostics, \(checkedSteps) steps checked "
              + "(\(refuted) refuted), slowest \(String(format: "%.2f", slowest)) s")
    }

    /// Substitutions that usually keep a spec readable and change its meaning: bounds and
    /// member indices off by one, a sign, p for q, a dropped conditioning variable.
    static let substitutions: [(String, String)] = [
        ("1", "2"), ("2", "1"), ("^{T}", "^{T-1}"), ("^{N}", "^{N+1}"), ("t-1", "t"), ("_{t}", "_{t+1}"), ("1:T", "2:T"),
        ("0:T", "1:T"), ("+", "-"), ("- ", "+ "), ("q(", "p("), ("p(", "q("), (" | x)", ")"), (", x_0)", ")"), ("≥", "="),
        ("= ", "≥ "), ("log", "exp"), ("(x_i", "(x_1"), ("1..N", "0..N"), ("≥ 2", "≥ 1"), ("≥ 1", "≥ 0"), ("m}", "k}"),
    ]

    /// One to three edits: substitute a piece for another, delete a character, insert a piece,
    /// or cut the text short.
    static func mutate(_ chars: [Character], _ rng: inout SplitMix) -> String {
        var mutated = chars
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0..<mutated.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: mutated.remove(at: at)
            case 1, 2: mutated.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
            case 3: mutated = Array(mutated[..<max(at, mutated.count * 3 / 4)])
            default:
                let (from, to) = substitutions.randomElement(using: &rng)!
                let text = String(mutated)
                let ranges = Self.ranges(of: from, in: text)
                if !ranges.isEmpty {
                    let r = ranges[Int.random(in: 0..<ranges.count, using: &rng)]
                    mutated = Array(text.replacingCharacters(in: r, with: to))
                }
            }
            if mutated.isEmpty { mutated = ["x"] }
        }
        return String(mutated)
    }

    static func ranges(of piece: String, in text: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var from = text.startIndex
        while let r = text.range(of: piece, range: from..<text.endIndex) { out.append(r); from = r.upperBound }
        return out
    }
}
