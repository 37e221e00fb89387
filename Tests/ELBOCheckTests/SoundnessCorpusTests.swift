import Foundation
import XCTest
import ELBOAlgebra
import ELBOSpec
@testable import ELBOCheck

/// The soundness corpus (issue 13): every verified step of Specs/, changed carelessly and
/// rewritten harmlessly (`SoundnessCorpus`). Whether a candidate's value differs is decided by
/// an oracle that is not the checker's verdict: the witness engine at another seed with more
/// instances, evaluating both sides exactly at random instances. Then every candidate the oracle
/// shows false must be refuted, and no rewrite may be refuted. A change the oracle does not show
/// false is not thereby sound: a swapped KL inside a bound can fail only at rare instances,
/// which the checker may find and the oracle miss. Such changes are counted, and only those of
/// equalities (whose two sides then agreed at every oracle instance) must not be refuted.
///
/// `swift test` runs a fixed slice (every twelfth candidate of each step, kinds interleaved);
/// `ELBO_SOUNDNESS_FULL=1 swift test --filter SoundnessCorpusTests` runs all of them.
final class SoundnessCorpusTests: XCTestCase {
    struct Tally {
        var steps = 0
        var valueChanging = 0, valueChangingRefuted = 0
        /// Changes the oracle did not show false, and of those the ones the checker refuted.
        var notShownFalse = 0, notShownFalseRefuted = 0
        var rewrites = 0, rewritesVerified = 0, rewritesRefuted = 0
        /// Candidates the oracle could not evaluate (its tables cannot represent them).
        var unclassified = 0
        var byKind: [String: (changing: Int, refuted: Int, kept: Int)] = [:]
    }

    func testEveryValueChangingCandidateIsRefutedAndNoValueKeepingOneIs() throws {
        let full = ProcessInfo.processInfo.environment["ELBO_SOUNDNESS_FULL"] == "1"
        let stride = full ? 1 : 12
        let files = try CheckRun.specFiles(in: [MutationTests.specsDirectory])
        let checker = Checker(suggestAssumptions: false)
        var oracleConfiguration = WitnessConfiguration.standard
        oracleConfiguration.seed = 0x50_0D_C0_4F_05
        oracleConfiguration.instances = 48
        var t = Tally()
        var failures: [String] = []
        for path in files {
            let spec = try SpecParser.parseFile(at: path)
            for derivation in spec.derivations {
                let decl = derivation.declarations
                let prover = SymbolicProver(declarations: decl)
                let witness = WitnessEngine(declarations: decl, configuration: checker.witnessConfiguration)
                let oracle = WitnessEngine(declarations: decl, configuration: oracleConfiguration)
                var previous = derivation.start
                for step in derivation.steps {
                    guard let lhs = previous else { break }
                    defer { if step.expectation != .refuted { previous = step.expr } }
                    guard step.expectation != .refuted,
                          checker.checkStep(step, lhs: lhs, prover: prover, witness: witness, declarations: decl).verdict == .verified
                    else { continue }
                    t.steps += 1
                    let all = SoundnessCorpus(declarations: decl).candidates(relation: step.relation, expr: step.expr)
                    for (n, candidate) in all.enumerated() where n % stride == t.steps % stride {
                        var changed = step
                        changed.expr = candidate.expr
                        changed.relation = candidate.relation
                        let where_ = "\(URL(fileURLWithPath: path).lastPathComponent) \(derivation.name) (\(step.label ?? "?")) "
                            + "[\(candidate.kind.rawValue): \(candidate.detail)]"
                        let truth = oracle.check(lhs: lhs.pooledNestedIntegrals, rhs: candidate.expr.pooledNestedIntegrals,
                                                 relation: candidate.relation, assumptions: step.assumptions)
                        let report = checker.checkStep(changed, lhs: lhs, prover: prover, witness: witness, declarations: decl)
                        let refuted = report.verdict == .refuted
                        var kind = t.byKind[candidate.kind.rawValue] ?? (0, 0, 0)
                        defer { t.byKind[candidate.kind.rawValue] = kind }
                        if candidate.kind.preservesValue {
                            t.rewrites += 1
                            if report.verdict == .verified { t.rewritesVerified += 1 }
                            if truth.disagrees { failures.append("\(where_): the rewrite changed the value (a generator bug)") }
                            if refuted { t.rewritesRefuted += 1; failures.append("\(where_): a sound rewrite is refuted: \(report.message)") }
                            kind.kept += 1
                            continue
                        }
                        switch truth {
                        case .disagrees:
                            t.valueChanging += 1; kind.changing += 1
                            if refuted { t.valueChangingRefuted += 1; kind.refuted += 1 } else {
                                failures.append("\(where_): changes the value but the checker says \(report.verdict.rawValue): \(report.message)")
                            }
                        case .agrees:
                            t.notShownFalse += 1; kind.kept += 1
                            guard refuted else { break }
                            t.notShownFalseRefuted += 1
                            if candidate.relation == .equal {
                                failures.append("\(where_): both sides agree at every oracle instance but it is refuted: \(report.message)")
                            }
                        case .skipped:
                            t.unclassified += 1
                        }
                    }
                }
            }
        }
        let kinds = t.byKind.sorted { $0.key < $1.key }
            .map { "\($0.key): \($0.value.changing) shown false (\($0.value.refuted) refuted), \($0.value.kept) not shown false" }
        print("""
            soundness corpus (\(full ? "full" : "every \(stride)th candidate")): \(t.steps) verified steps; \
            \(t.valueChanging) changes shown false by the oracle, \(t.valueChangingRefuted) refuted; \
            \(t.rewrites) rewrites, \(t.rewritesVerified) verified, \(t.rewritesRefuted) refuted; \
            \(t.notShownFalse) changes the oracle did not show false (\(t.notShownFalseRefuted) refuted by the checker); \
            \(t.unclassified) the oracle could not evaluate
              \(kinds.joined(separator: "\n  "))
            """)
        for f in failures { XCTFail(f) }
        XCTAssertGreaterThan(t.steps, 40, "the corpus starts from the verified steps of Specs/")
        XCTAssertGreaterThan(t.valueChanging, full ? 500 : 60)
        XCTAssertGreaterThan(t.rewrites, full ? 200 : 20)
    }
}
