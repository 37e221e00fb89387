import Foundation
import XCTest
import ELBOAlgebra
import ELBOSpec
@testable import ELBOCheck

/// The witness by factors (issue 10): it must judge exactly as the dense path wherever both
/// apply, and judge models whose dense joint would not fit in memory.
final class WitnessFactorTests: XCTestCase {
    enum Judgement: String { case agrees, disagrees, skipped }

    static func judgement(_ o: WitnessOutcome) -> Judgement {
        switch o { case .agrees: return .agrees; case .disagrees: return .disagrees; case .skipped: return .skipped }
    }

    /// Every step of Specs/, and a slice of the soundness corpus's changed steps (so that false
    /// steps are compared too): where both paths evaluate, both give the same judgement.
    func testFactorPathJudgesEveryComparableSpecStepAsTheDensePath() throws {
        var byFactors = WitnessConfiguration.standard
        byFactors.alwaysByFactors = true
        var compared: [Judgement: Int] = [:]
        var mismatches: [String] = []
        for path in try CheckRun.specFiles(in: [MutationTests.specsDirectory]) {
            for derivation in try SpecParser.parseFile(at: path).derivations {
                let decl = derivation.declarations
                let dense = WitnessEngine(declarations: decl)
                let factors = WitnessEngine(declarations: decl, configuration: byFactors)
                var previous = derivation.start
                for step in derivation.steps {
                    guard let lhs = previous else { break }
                    defer { if step.expectation != .refuted { previous = step.expr } }
                    var variants = [(step.relation, step.expr)]
                    let candidates = SoundnessCorpus(declarations: decl).candidates(relation: step.relation, expr: step.expr)
                    for (n, c) in candidates.enumerated() where n % 5 == 0 { variants.append((c.relation, c.expr)) }
                    for (relation, rhs) in variants {
                        let l = lhs.withExactNumbers, r = rhs.withExactNumbers
                        let a = Self.judgement(dense.check(lhs: l, rhs: r, relation: relation, assumptions: step.assumptions))
                        let b = Self.judgement(factors.check(lhs: l, rhs: r, relation: relation, assumptions: step.assumptions))
                        guard a != .skipped, b != .skipped else { continue }
                        compared[a, default: 0] += 1
                        if a != b {
                            mismatches.append("\(derivation.name) (\(step.label ?? "?")) \(relation.rawValue) \(r.unicodeText): "
                                + "dense \(a.rawValue), by factors \(b.rawValue)")
                        }
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, [])
        // Both kinds of judgement were compared, and many of each.
        XCTAssertGreaterThan(compared[.agrees, default: 0], 50)
        XCTAssertGreaterThan(compared[.disagrees, default: 0], 20)
    }

    /// Witness outcomes of the generated L-layer chain's steps.
    func chainOutcomes(_ layers: Int, wrongTop: Bool = false,
                       configuration: WitnessConfiguration = .standard) throws -> [WitnessOutcome] {
        let text = HierarchicalChainSpec(layers: layers, wrongTopMeasure: wrongTop).text
        let derivation = try SpecParser.parse(source: text, path: "chain.elbo").derivations[0]
        let witness = WitnessEngine(declarations: derivation.declarations, configuration: configuration)
        var previous = try XCTUnwrap(derivation.start)
        var out: [WitnessOutcome] = []
        for step in derivation.steps {
            out.append(witness.check(lhs: previous, rhs: step.expr, relation: step.relation, assumptions: step.assumptions))
            previous = step.expr
        }
        return out
    }

    /// 24 latents: the dense joint has 2^25 to 3^25 entries (the process used to abort).
    func testTwentyFourLayerChainIsWitnessed() throws {
        XCTAssertEqual(try chainOutcomes(24).map(Self.judgement), [.agrees, .agrees, .agrees])
    }

    /// The top KL against `q(zL | x)` in place of `q(zL | zL-1)` differs by a mutual
    /// information; the counterexample says it was evaluated by factors.
    func testWrongTopKLIsRefutedAtTwentyFourLayers() throws {
        let outcomes = try chainOutcomes(24, wrongTop: true)
        XCTAssertEqual(outcomes.map(Self.judgement), [.agrees, .agrees, .disagrees])
        XCTAssertTrue(outcomes[2].counterexample?.instance.contains("evaluated by factors") ?? false)
    }

    /// A model that needs a table beyond the limit is skipped with a diagnostic saying so.
    func testTooLargeForTheLimitIsADiagnostic() throws {
        var tiny = WitnessConfiguration.standard
        tiny.factorTableLimit = 4
        tiny.alwaysByFactors = true
        let outcomes = try chainOutcomes(4, configuration: tiny)
        for o in outcomes {
            guard case .skipped(let why) = o else { return XCTFail("expected skipped, got \(o)") }
            XCTAssertTrue(why.contains("too large for the witness by factors"), why)
        }
    }
}
