import XCTest
@testable import ELBOAlgebra

/// The rule table: one row per rule, distinct names, and proofs recorded against it.
final class RuleTableTests: XCTestCase {
    func testEveryRuleHasOneRowWithAStatement() {
        let names = RuleTable.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "rule names are distinct")
        XCTAssertEqual(names.count, Rule.allCases.count)
        for row in RuleTable.all {
            XCTAssertFalse(row.statement.isEmpty, row.name)
            XCTAssertEqual(RuleTable.named(row.name)?.rule, row.rule)
        }
        XCTAssertNil(RuleTable.named("bayes"), "a rule that never fires is not in the table")
    }

    func testApplicationsAreOrderedWithPositions() throws {
        // Positions are the path the normaliser is at when a rule fires.
        var log = RuleLog()
        log.enter("lhs")
        log.use(.klDefinition)
        log.enter("0")
        log.use(.chainRule)
        log.leave()
        log.use(.klDefinition)
        log.leave()
        XCTAssertEqual(log.applications.map(\.at), ["lhs", "lhs/0", "lhs"])
        XCTAssertEqual(log.applications.map(\.rule), [.klDefinition, .chainRule, .klDefinition])
        log.recording = false
        log.use(.jensen)
        XCTAssertFalse(log.used.contains(.jensen), "a search does not record into the proof")
    }
}
