import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import Foundation
import XCTest

/// A small spec parsed with `SpecParser`, its witness, and its steps checked as the checker
/// chains them (a step marked `expect refuted` does not become the previous expression).
struct GaussianWitnessSpec {
    let derivation: Derivation
    let engine: WitnessEngine

    init(_ source: String, configuration: WitnessConfiguration = .standard, file: StaticString = #filePath, line: UInt = #line) {
        do {
            derivation = try SpecParser.parse(source: source, path: "gaussian-test.elbo").derivations[0]
        } catch {
            XCTFail("the spec does not parse: \(error)", file: file, line: line)
            derivation = Derivation(name: "broken", title: "broken",
                                    location: SourceLocation(file: "gaussian-test.elbo", line: 1, column: 1))
        }
        engine = WitnessEngine(declarations: derivation.declarations, configuration: configuration)
    }

    var declarations: Declarations { derivation.declarations }

    /// An expression in the spec's declarations.
    func expr(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Expr {
        do { return try SpecParser.parseExpression(text, in: declarations) } catch {
            XCTFail("'\(text)' does not parse: \(error)", file: file, line: line)
            return .number(.zero)
        }
    }

    /// `lhs relation rhs` judged by the witness.
    func check(_ lhs: String, _ relation: Relation, _ rhs: String, assuming: [String] = [],
               file: StaticString = #filePath, line: UInt = #line) -> WitnessOutcome {
        engine.check(lhs: expr(lhs, file: file, line: line), rhs: expr(rhs, file: file, line: line), relation: relation,
                     assumptions: assuming)
    }

    /// Every step of the derivation with its outcome, chained as the checker chains them.
    func stepOutcomes() -> [(label: String, expectRefuted: Bool, outcome: WitnessOutcome)] {
        var previous = derivation.start
        var out: [(String, Bool, WitnessOutcome)] = []
        for step in derivation.steps {
            guard let lhs = previous else { break }
            let outcome = engine.check(lhs: lhs, rhs: step.expr, relation: step.relation, assumptions: step.assumptions)
            out.append((step.label ?? "?", step.expectation == .refuted, outcome))
            if step.expectation != .refuted { previous = step.expr }
        }
        return out
    }

    /// Asserts that each step agrees, or is refuted when marked `expect refuted`.
    func assertStepsMeetExpectations(file: StaticString = #filePath, line: UInt = #line) {
        let outcomes = stepOutcomes()
        XCTAssertEqual(outcomes.count, derivation.steps.count, "every step was checked", file: file, line: line)
        for (label, refuted, outcome) in outcomes {
            if refuted {
                XCTAssertTrue(outcome.disagrees, "step (\(label)) should be refuted, got \(outcome)", file: file, line: line)
            } else {
                XCTAssertTrue(outcome.agrees, "step (\(label)) should agree, got \(outcome)", file: file, line: line)
            }
        }
    }
}

func assertAgrees(_ outcome: WitnessOutcome, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(outcome.agrees, "expected agreement\(message.isEmpty ? "" : " (\(message))"), got \(outcome)", file: file, line: line)
}

@discardableResult
func assertRefutes(_ outcome: WitnessOutcome, _ message: String = "", file: StaticString = #filePath,
                   line: UInt = #line) -> Counterexample? {
    XCTAssertTrue(outcome.disagrees, "expected a refutation\(message.isEmpty ? "" : " (\(message))"), got \(outcome)",
                  file: file, line: line)
    return outcome.counterexample
}

func assertSkips(_ outcome: WitnessOutcome, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(outcome.skipReason?.contains(text) ?? false, "expected a skip mentioning '\(text)', got \(outcome)",
                  file: file, line: line)
}

/// Seconds taken by `body`.
func gaussianSeconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
