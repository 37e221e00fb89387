import XCTest
import ELBOSpec
@testable import ELBOCheck

/// Parses a spec given as text and checks it.
func checkSpec(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> FileReport? {
    do {
        let spec = try SpecParser.parse(source: text, path: "corpus.elbo")
        return Checker().check(spec)
    } catch {
        XCTFail("spec does not parse: \(error)", file: file, line: line)
        return nil
    }
}

/// Every step is verified (or an approximation) unless marked `expect refuted`, in which case
/// it is refuted. Stricter than `meetsExpectation`, which it implies.
func assertCorpus(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let report = checkSpec(text, file: file, line: line) else { return }
    XCTAssertFalse(report.derivations.isEmpty, file: file, line: line)
    for d in report.derivations {
        XCTAssertFalse(d.steps.isEmpty, "\(d.name) has no steps", file: file, line: line)
        for s in d.steps where !s.meetsExpectation {
            XCTFail("\(d.name) \(s.name): \(s.verdict.rawValue), expected \(s.expected.rawValue): \(s.message)",
                    file: file, line: line)
        }
    }
}

/// The verdicts of one derivation's steps, by label.
func verdicts(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String: StepReport] {
    guard let report = checkSpec(text, file: file, line: line) else { return [:] }
    var out: [String: StepReport] = [:]
    for d in report.derivations { for s in d.steps { out[s.label ?? "line \(s.line)"] = s } }
    return out
}
