import XCTest
import ELBOAlgebra
import ELBOSpec
@testable import ELBOCheck

/// The HTML report of all of Specs/, validated as a document without a browser: well-formed,
/// self-contained, one section per derivation, one row per step, typeset math in every row,
/// the expected mistakes marked as such, and every link landing on an anchor of the page.
final class HTMLReportTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The report and page of Specs/, made once for all tests.
    static let specs: (report: CheckReport, page: String) = {
        let (report, _) = CheckRun().run(paths: [packageRoot.appendingPathComponent("Specs").path])
        return (report, report.html(sources: CheckRun.sources(of: report)))
    }()

    func parsedPage() throws -> XMLElementNode {
        try XMLElementNode.parse(Self.specs.page)
    }

    func testThePageIsWellFormedAndSelfContained() throws {
        let root = try parsedPage()
        XCTAssertEqual(root.name, "html")
        XCTAssertTrue(Self.specs.page.hasPrefix("<!DOCTYPE html>"))
        for e in root.descendantsAndSelf {
            XCTAssertFalse(["link", "script", "img", "iframe", "object", "embed"].contains(e.name), "external asset <\(e.name)>")
            XCTAssertNil(e.attributes["src"], "<\(e.name) src=…> loads something")
            if let href = e.attributes["href"] { XCTAssertTrue(href.hasPrefix("#"), "link out of the page: \(href)") }
        }
        let style = root.all("style").map(\.allText).joined()
        XCTAssertFalse(style.isEmpty)
        XCTAssertFalse(style.contains("url("), "the style sheet loads something")
        XCTAssertFalse(style.contains("@import"))
        XCTAssertTrue(style.contains("@media"), "no layout for narrow screens")
        XCTAssertEqual(root.all("meta").filter { $0.attributes["name"] == "viewport" }.count, 1)
    }

    func testOneSectionPerDerivationAndOneRowPerStep() throws {
        let root = try parsedPage()
        let report = Self.specs.report
        let derivations = report.files.flatMap(\.derivations)
        XCTAssertGreaterThan(derivations.count, 10)
        let sections = root.all("section", class: "derivation")
        XCTAssertEqual(sections.count, derivations.count)
        for (section, d) in zip(sections, derivations) {
            XCTAssertEqual(section.all("h2").first?.allText, d.title)
            let rows = section.all("tr", class: "step")
            XCTAssertEqual(rows.count, d.steps.count, "\(d.name): rows")
            for (row, step) in zip(rows, d.steps) {
                let expression = row.all("td", class: "expr")
                XCTAssertEqual(expression.count, 1)
                // The step's expression in its scroll box; assumptions in the details have their own.
                let math = expression.first?.children.filter { $0.classes.contains("math") }.flatMap { $0.all("math") } ?? []
                XCTAssertEqual(math.count, 1, "\(d.name) \(step.name): one <math> for the step's expression")
                guard let m = math.first else { continue }
                XCTAssertEqual(m.attributes["xmlns"], "http://www.w3.org/1998/Math/MathML")
                XCTAssertTrue(m.all("mtext").allSatisfy { $0.allText.hasPrefix("(") },
                              "\(d.name) \(step.name): the expression fell back to text")
                XCTAssertTrue(m.all("mo").contains { $0.allText == step.relation }, "\(d.name) \(step.name): no relation")
                XCTAssertTrue(row.classes.contains("v-" + (step.expected == .refuted && step.verdict == .refuted
                                                            ? "expected-mistake" : step.verdict.rawValue)))
                XCTAssertTrue(row.all("td", class: "verdict").first?.allText.contains(step.verdict.rawValue) ?? false)
            }
        }
    }

    /// MathML's scripts and fractions take a fixed number of children; one more (a density
    /// written as two siblings under a fraction bar) would typeset as garbage.
    func testEveryScriptAndFractionHasItsParts() throws {
        let arity = ["mfrac": 2, "msup": 2, "msub": 2, "mover": 2, "munder": 2, "munderover": 3, "msubsup": 3]
        let root = try parsedPage()
        var checked = 0
        for math in root.all("math") {
            for e in math.descendantsAndSelf {
                guard let n = arity[e.name] else { continue }
                XCTAssertEqual(e.children.count, n, "<\(e.name)> with \(e.children.count) children: \(e.allText)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 500)
    }

    func testTheExpectedMistakesAreMarkedAsExpected() throws {
        let root = try parsedPage()
        let steps = Self.specs.report.files.flatMap { $0.derivations.flatMap(\.steps) }
        let mistakes = steps.filter { $0.expected == .refuted }
        XCTAssertEqual(mistakes.count, 18, "Specs/ keeps eighteen of the seeds' mistakes")
        XCTAssertTrue(mistakes.allSatisfy { $0.verdict == .refuted })
        let rows = root.all("tr", class: "step")
        let marked = rows.filter { $0.classes.contains("v-expected-mistake") }
        XCTAssertEqual(marked.count, 18)
        for row in marked {
            XCTAssertTrue(row.allText.contains("as the source's mistake expected"))
            XCTAssertFalse(row.classes.contains("v-refuted"), "an expected mistake styled as a failure")
            XCTAssertFalse(row.all("table", class: "values").isEmpty, "an expected mistake without its counterexample")
        }
        XCTAssertFalse(rows.contains { $0.classes.contains("v-refuted") }, "Specs/ has no unexpected refutation")
    }

    func testVerifiedStepsShowTheirProofs() throws {
        let root = try parsedPage()
        let steps = Self.specs.report.files.flatMap { $0.derivations.flatMap(\.steps) }
        let verified = zip(root.all("tr", class: "step"), steps).filter { $0.1.verdict == .verified }
        XCTAssertGreaterThan(verified.count, 60)
        XCTAssertTrue(verified.allSatisfy { !$0.0.all("details", class: "proof-steps").isEmpty }, "a verified step without its proof")
    }

    func testEveryStepLinksToItsSourceLine() throws {
        let root = try parsedPage()
        var ids: [String: XMLElementNode] = [:]
        for e in root.descendantsAndSelf { if let id = e.attributes["id"] { ids[id] = e } }
        let rows = root.all("tr", class: "step")
        XCTAssertFalse(rows.isEmpty)
        for e in root.descendantsAndSelf {
            guard let href = e.attributes["href"] else { continue }
            XCTAssertNotNil(ids[String(href.dropFirst())], "dangling link \(href)")
        }
        let lines = Self.specs.report.files.flatMap { $0.derivations.flatMap(\.steps) }.map(\.line)
        for (row, line) in zip(rows, lines) {
            guard let link = row.all("td", class: "label").first?.all("a").first, let href = link.attributes["href"],
                  let target = ids[String(href.dropFirst())] else {
                XCTFail("a step without a link to its source line"); continue
            }
            XCTAssertTrue(target.classes.contains("src"))
            XCTAssertEqual(target.all("a", class: "ln").first?.allText, "\(line)")
        }
    }

    func testAssumptionsProofAndSuggestionsAreShown() throws {
        let root = try parsedPage()
        let steps = Self.specs.report.files.flatMap { $0.derivations.flatMap(\.steps) }
        for (row, step) in zip(root.all("tr", class: "step"), steps) {
            let text = row.allText
            let rules = step.rules.filter { !$0.hasPrefix("assumption:") }
            let chips = row.all("ul", class: "proof").first?.all("li").map(\.allText) ?? []
            XCTAssertEqual(chips, rules, "\(step.name): the rules the proof used, as the report lists them")
            // The kernel-checked applications, in order, with their positions.
            let applications = row.all("details", class: "proof-steps").first?.all("li") ?? []
            XCTAssertEqual(applications.map { $0.all("code").map(\.allText) }, (step.proof ?? []).map { [$0.rule, $0.at] },
                           "\(step.name): the proof's applications in order")
            for a in step.assumptions { XCTAssertTrue(text.contains(a), "\(step.name): assumption \(a) not shown") }
            if let s = step.suggestedAssumption { XCTAssertTrue(text.contains(s)) }
        }
    }

    func testTextIsEscaped() throws {
        let step = StepReport(label: "(1)", line: 1, column: 1, relation: "=", verdict: .error, expected: .verified,
                              symbolic: "failed", witness: "skipped", rules: [], assumptions: [], suggestedAssumption: nil,
                              counterexample: CounterexampleReport(lhs: 1, rhs: -2, instance: "at x = <&>\u{1}"),
                              approximationError: nil, message: "a < b & c > \"d\"", lhs: "a<b", rhs: "c&d")
        let report = CheckReport(files: [FileReport(path: "x<&>.elbo", derivations: [
            DerivationReport(name: "n", title: "<b>title</b>", source: nil, steps: [step], objectives: []),
        ])])
        let root = try XMLElementNode.parse(report.html(sources: ["x<&>.elbo": "line <1> & \u{7}\n"]))
        XCTAssertEqual(root.all("section", class: "derivation").first?.all("h2").first?.allText, "<b>title</b>")
        XCTAssertTrue(root.allText.contains("a < b & c > \"d\""))
        XCTAssertEqual(root.all("tr", class: "step").count, 1)
    }
}
