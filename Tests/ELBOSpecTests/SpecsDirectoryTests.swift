import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Every spec the project ships parses without diagnostics and prints back to the same terms.
final class SpecsDirectoryTests: XCTestCase {
    func testEveryShippedSpecParsesAndRoundTrips() throws {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let specs = root.appendingPathComponent("Specs")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: specs.path)) ?? [])
            .filter { $0.hasSuffix(".elbo") }.sorted()
        if names.isEmpty { throw XCTSkip("no Specs/*.elbo next to the tests") }
        for name in names {
            let path = specs.appendingPathComponent(name).path
            let file: SpecFile
            do { file = try SpecParser.parseFile(at: path) } catch {
                XCTFail("\(name):\n\(error)")
                continue
            }
            for d in file.derivations {
                let labels = Set(d.steps.compactMap(\.label))
                for e in d.steps.map(\.expr) + [d.start].compactMap({ $0 }) + d.objectives.map(\.expr) {
                    let back = try? SpecParser.parseExpression(e.description, in: d.declarations, stepLabels: labels)
                    XCTAssertEqual(back, e, "\(name) / \(d.name): \(e.description)")
                }
            }
        }
    }
}
