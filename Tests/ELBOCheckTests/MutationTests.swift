import XCTest
import Foundation
import ELBOAlgebra
import ELBOSpec
@testable import ELBOCheck

/// From every verified step in Specs/, generate mutants and require: every mutant that an
/// independent, stronger witness (another seed, more instances) finds false is refuted by the
/// checker; no mutant that it finds true is refuted; the engines never contradict each other;
/// and no unmutated step is refuted.
final class MutationTests: XCTestCase {
    static var specsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Specs").path
    }

    func testMutantsOfEveryVerifiedStepAreRefuted() throws {
        let files = try CheckRun.specFiles(in: [Self.specsDirectory])
        XCTAssertFalse(files.isEmpty)
        let checker = Checker(suggestAssumptions: false)
        var oracleConfiguration = WitnessConfiguration.standard
        oracleConfiguration.seed = 0xD1FF_5EED
        oracleConfiguration.instances = 48
        var total = 0, refuted = 0, equivalent = 0, stepsMutated = 0
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
                    let original = checker.checkStep(step, lhs: lhs, prover: prover, witness: witness, declarations: decl)
                    if step.expectation != .refuted {
                        XCTAssertNotEqual(original.verdict, .refuted, "\(path) \(original.name) unmutated step refuted")
                    }
                    guard original.verdict == .verified else { continue }
                    stepsMutated += 1
                    for (what, mutant) in Mutator(declarations: decl).mutants(of: step.expr) {
                        var m = step
                        m.expr = mutant
                        let r = checker.checkStep(m, lhs: lhs, prover: prover, witness: witness, declarations: decl)
                        XCTAssertNotEqual(r.verdict, .error, "\(path) \(original.name) [\(what)]: \(r.message)")
                        if r.verdict == .refuted {
                            // A refutation is an exact evaluation: it must show a real gap.
                            guard let c = r.counterexample else { XCTFail("refuted without a counterexample"); continue }
                            let gap = abs(c.lhs - c.rhs)
                            XCTAssertTrue(gap > 1e-9 || c.lhs.isNaN != c.rhs.isNaN || step.relation != .equal,
                                          "\(path) \(original.name) [\(what)]: counterexample shows no gap")
                            total += 1; refuted += 1
                            continue
                        }
                        // Not refuted: an independent, stronger witness must not find it false either.
                        let truth = oracle.check(lhs: lhs.pooledNestedIntegrals, rhs: mutant.pooledNestedIntegrals,
                                                 relation: step.relation, assumptions: step.assumptions)
                        if case .skipped = truth { continue }
                        total += 1
                        if case .disagrees = truth {
                            XCTFail("\(path) \(original.name) [\(what)] is false but the checker says \(r.verdict.rawValue): \(r.message)")
                        } else {
                            equivalent += 1
                        }
                    }
                }
            }
        }
        print("mutation test: \(stepsMutated) verified steps, \(total) mutants, \(refuted) refuted, \(equivalent) still hold")
        XCTAssertGreaterThan(total, 100)
        XCTAssertGreaterThan(refuted, total / 2)
    }
}
