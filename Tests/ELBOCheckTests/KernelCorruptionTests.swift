import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// The kernel replays the certificates of every proved step of Specs/, and rejects each of
/// them once corrupted: a step dropped, two rules swapped, an instantiation or a position
/// changed, a decomposition weight altered.
final class KernelCorruptionTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// (prover, certificate) of every step that the prover proves in the files of Specs/ that
    /// parse on their own (the `*_model.elbo` files import declarations and are left out).
    static let proofs: [(SymbolicProver, Certificate)] = {
        var out: [(SymbolicProver, Certificate)] = []
        let specs = packageRoot.appendingPathComponent("Specs")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: specs.path))?.filter { $0.hasSuffix(".elbo") }.sorted() ?? []
        for name in files {
            guard let text = try? String(contentsOf: specs.appendingPathComponent(name), encoding: .utf8),
                  let spec = try? SpecParser.parse(source: text, path: name) else { continue }
            for d in spec.derivations {
                let prover = SymbolicProver(declarations: d.declarations)
                var previous = d.start
                for step in d.steps {
                    guard let lhs = previous else { break }
                    previous = step.expr
                    let outcome = prover.prove(lhs: lhs.pooledNestedIntegrals, rhs: step.expr.pooledNestedIntegrals,
                                               relation: step.relation.comparison, assumptions: step.assumptions)
                    if case .proved(_, let proof) = outcome { out.append((prover, proof.certificate)) }
                }
            }
        }
        return out
    }()

    func rejected(_ prover: SymbolicProver, _ c: Certificate) -> Bool {
        if case .failure = prover.replay(c) { return true } else { return false }
    }

    func testEveryProofOfSpecsReplays() {
        XCTAssertGreaterThanOrEqual(Self.proofs.count, 60, "Specs/ has over 60 proved steps in files without imports")
        for (prover, c) in Self.proofs {
            if case .failure(let why) = prover.replay(c) { XCTFail("\(c.lhs) ~ \(c.rhs): \(why)") }
        }
    }

    func testDroppingARequiredApplicationIsRejected() {
        var tried = 0
        for (prover, c) in Self.proofs {
            for (i, a) in c.steps.enumerated()
            where [.klDefinition, .expectationDefinition, .entropyDefinition, .assumption, .definitionExpanded].contains(a.rule)
                || i == c.steps.count - 1 {
                var bad = c
                bad.steps.remove(at: i)
                tried += 1
                XCTAssertTrue(rejected(prover, bad), "dropped \(a) of \(c.lhs) ~ \(c.rhs)")
            }
        }
        XCTAssertGreaterThan(tried, 100)
    }

    func testSwappingTwoRulesIsRejected() {
        var tried = 0
        for (prover, c) in Self.proofs {
            // Two applications at nodes of the step whose rules need different heads.
            let headed = c.steps.indices.filter { i in
                c.steps[i].rule.definition.head != nil && !c.steps[i].at.contains(":") && !c.steps[i].at.contains("derived")
                    && !c.steps[i].at.hasSuffix("log") && c.steps[i].rule != .definitionExpanded && c.steps[i].rule != .assumption
            }
            guard let i = headed.first, let j = headed.first(where: {
                c.steps[$0].rule.definition.head != c.steps[i].rule.definition.head
                    && c.steps[$0].rule.definition.head != c.steps[i].rule.definition.rightHead
                    && c.steps[i].rule.definition.head != c.steps[$0].rule.definition.rightHead }) else { continue }
            var bad = c
            (bad.steps[i].rule, bad.steps[j].rule) = (c.steps[j].rule, c.steps[i].rule)
            tried += 1
            XCTAssertTrue(rejected(prover, bad), "swapped \(c.steps[i]) and \(c.steps[j])")
            // The closing rule swapped with a side's rule.
            var closing = c
            (closing.steps[i].rule, closing.steps[c.steps.count - 1].rule) = (c.steps.last!.rule, c.steps[i].rule)
            XCTAssertTrue(rejected(prover, closing), "swapped \(c.steps[i]) with the closing step")
        }
        XCTAssertGreaterThan(tried, 20)
    }

    func testChangingAnInstantiationIsRejected() {
        var tried = 0
        for (prover, c) in Self.proofs {
            for (i, a) in c.steps.enumerated() where a.rule == .assumption || a.rule == .definitionExpanded {
                var bad = c
                bad.steps[i].instantiation = a.instantiation + "_other"
                tried += 1
                XCTAssertTrue(rejected(prover, bad), "changed the instantiation of \(a)")
            }
            if case .mixtureJensen(let kl, let index) = c.closing {
                var bad = c
                bad.closing = .mixtureJensen(kl: kl, index: index + "_other")
                tried += 1
                XCTAssertTrue(rejected(prover, bad), "changed Jensen's index")
            }
        }
        XCTAssertGreaterThan(tried, 5)
    }

    func testChangingAPositionIsRejected() {
        var tried = 0
        for (prover, c) in Self.proofs {
            for (i, a) in c.steps.enumerated().dropLast() where a.rule.definition.head != nil && a.at.hasPrefix("lhs") || a.at.hasPrefix("rhs") {
                guard !a.at.contains(":"), !a.at.contains("derived") else { continue }
                // A position that does not exist, the other side, and (for unfoldings) the parent.
                var gone = c
                gone.steps[i].at = a.at + "/9"
                var other = c
                other.steps[i].at = a.at.hasPrefix("lhs") ? "rhs" + a.at.dropFirst(3) : "lhs" + a.at.dropFirst(3)
                tried += 1
                XCTAssertTrue(rejected(prover, gone), "moved \(a) to \(gone.steps[i].at)")
                if [.klDefinition, .expectationDefinition, .entropyDefinition].contains(a.rule) {
                    XCTAssertTrue(rejected(prover, other), "moved \(a) to \(other.steps[i].at)")
                }
            }
        }
        XCTAssertGreaterThan(tried, 100)
    }

    func testAlteringADecompositionWeightIsRejected() {
        var tried = 0
        for (prover, c) in Self.proofs {
            guard case .decomposition(let terms) = c.closing else { continue }
            for k in terms.indices {
                for change in [Rational(1, 2), Rational(2), Rational(-1)] {
                    var altered = terms
                    altered[k].weight = altered[k].weight * change
                    var bad = c
                    bad.closing = .decomposition(altered)
                    tried += 1
                    XCTAssertTrue(rejected(prover, bad), "weight \(terms[k].weight) of \(terms[k].label) times \(change)")
                }
                var dropped = terms
                dropped.remove(at: k)
                var bad = c
                bad.closing = .decomposition(dropped)
                XCTAssertTrue(rejected(prover, bad), "dropped the term \(terms[k].label)")
            }
        }
        XCTAssertGreaterThan(tried, 10)
    }

    func testAnEquationCannotBeClosedAsAnother() {
        for (prover, c) in Self.proofs where c.relation == .equal {
            var bad = c
            bad.closing = .constantDropped(scale: .one)
            XCTAssertTrue(rejected(prover, bad))
        }
    }
}
