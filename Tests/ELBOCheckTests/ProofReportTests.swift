import XCTest
@testable import ELBOCheck
import ELBOAlgebra

/// Proofs in reports: the ordered applications in JSON and in `--explain`, and `by RULE`
/// compared with the proof.
final class ProofReportTests: XCTestCase {
    let spec = """
    derivation generic "generic identities"
    variables
      a : observed real[n]
      b : latent real[n]
    model p(a, b)
    steps
          p(a, b)
      (1) = p(a | b) p(b)          by chain-rule
      (2) = p(b | a) p(a)          by jensen
      (3) = p(b | a) p(a)          by no such rule
      (4) = p(a) p(b)              expect refuted
    """

    func testByRuleIsComparedWithTheProof() throws {
        let steps = verdicts(spec)
        XCTAssertNil(steps["(1)"]?.warnings, "chain-rule is used: \(steps["(1)"]?.warnings ?? [])")
        let w2 = try XCTUnwrap(steps["(2)"]?.warnings?.first)
        XCTAssertTrue(w2.contains("jensen") && w2.contains("chain-rule"), w2)
        let w3 = try XCTUnwrap(steps["(3)"]?.warnings?.first)
        XCTAssertTrue(w3.contains("names no rule"), w3)
        XCTAssertNil(steps["(4)"]?.proof, "a refuted step has no proof")
    }

    func testProofsAreOrderedApplicationsInJSONAndText() throws {
        let file = try XCTUnwrap(checkSpec(spec))
        let report = CheckReport(files: [file])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let files = try XCTUnwrap(json["files"] as? [[String: Any]])
        let steps = try XCTUnwrap((files.first?["derivations"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        let proof = try XCTUnwrap(steps.first?["proof"] as? [[String: Any]])
        XCTAssertGreaterThan(proof.count, 1)
        for a in proof {
            let rule = try XCTUnwrap(a["rule"] as? String)
            XCTAssertNotNil(RuleTable.named(rule), "\(rule) is a rule of the table")
            XCTAssertNotNil(a["at"] as? String)
        }
        XCTAssertEqual(proof.last?["rule"] as? String, "same-normal-form")
        let text = report.text(explain: true)
        XCTAssertTrue(text.contains("proof (\(proof.count) applications"), text)
        XCTAssertTrue(text.contains("proof sizes: 3 proofs"), text)
        XCTAssertTrue(text.contains("warning: 'by jensen'"), text)
    }
}
