import XCTest
import ELBOAlgebra
@testable import ELBOCheck

/// The MathML renderer sets terms as a paper does: fractions, scripts, operators with their
/// bounds, and parentheses exactly where precedence needs them.
final class MathMLRendererTests: XCTestCase {
    let x = Expr.symbol("x"), a = Expr.symbol("a"), b = Expr.symbol("b"), c = Expr.symbol("c")
    let pxz = Expr.density(Density(joint: "p", variables: ["x", "z"]))
    let qzx = Expr.density(Density(joint: "q", variables: ["z"], given: ["x"]))
    let pz = Expr.density(Density(joint: "p", variables: ["z"]))

    func tree(_ e: Expr, relation: String? = nil, lhs: Expr? = nil) throws -> XMLElementNode {
        try XMLElementNode.parse(MathMLRenderer().math(e, relation: relation, lhs: lhs))
    }

    func text(_ e: Expr) throws -> String { try tree(e).allText }

    func testADensityAtAPointShowsItsBinding() throws {
        let point = Expr.add([.symbol("mu"), .mul([.symbol("sigma"), .symbol("eps")])])
        let e = Expr.log(.densityAt(Density(joint: "p", variables: ["x"], given: ["z"]), [("z", point)]))
        let t = try text(e)
        XCTAssertTrue(t.contains("p(x|z=μ+σ"), t)
        XCTAssertFalse(t.contains("at"), t)
    }

    func testADivisionIsAFraction() throws {
        let ratio = Expr.log(.divide(pxz, qzx))
        let t = try tree(ratio)
        let fraction = try XCTUnwrap(t.all("mfrac").first)
        XCTAssertEqual(fraction.children.count, 2)
        XCTAssertEqual(fraction.children[0].allText, "p(x,z)")
        XCTAssertEqual(fraction.children[1].allText, "q(z|x)")
        XCTAssertTrue(t.allText.hasPrefix("log"))
        XCTAssertFalse(t.allText.contains("log("), "a fraction needs no parentheses after log")
    }

    func testACoefficientOverAnExpectationStaysInFront() throws {
        // -1/(2γ²) E_q[‖x‖²]: the fraction 1/(2γ²), then the expectation, after a minus sign.
        let e = Expr.mul([.number(Rational(-1, 2)), .power(.symbol("gamma"), .int(-2)), .expectation(measure: qzx, body: .norm2(x))])
        let t = try tree(e)
        XCTAssertTrue(t.allText.hasPrefix("−"))
        let fraction = try XCTUnwrap(t.all("mfrac").first)
        XCTAssertEqual(fraction.children[0].allText, "1")
        XCTAssertEqual(fraction.children[1].allText, "2\u{2062}γ2")
        XCTAssertTrue(t.all("msub").contains { $0.children.first?.allText == "𝔼" })
        XCTAssertFalse(fraction.allText.contains("𝔼"), "the expectation belongs after the fraction")
    }

    func testParenthesesFollowPrecedence() throws {
        // (a + b) c needs them; a + b c does not; -(a + b) needs them; a - (b - c) needs them.
        XCTAssertEqual(try text(.mul([.add([a, b]), c])), "(a+b)\u{2062}c")
        XCTAssertEqual(try text(.add([a, .mul([b, c])])), "a+b\u{2062}c")
        XCTAssertEqual(try text(.negate(.add([a, b]))), "−(a+b)")
        XCTAssertEqual(try text(.subtract(a, .subtract(b, c))), "a−(b−c)")
        XCTAssertEqual(try text(.power(.add([a, b]), .int(2))), "(a+b)2")
        XCTAssertEqual(try text(.power(a, .int(2))), "a2")
        // (a + b) / c: the sum is the numerator; 1/c (a + b) keeps its parentheses.
        let quotient = try tree(.divide(.add([a, b]), c))
        XCTAssertEqual(quotient.all("mfrac").first?.children.map(\.allText), ["a+b", "c"])
        XCTAssertEqual(try text(.mul([.number(Rational(1, 2)), .add([a, b])])), "12\u{2062}(a+b)")
        // A Σ that is not last in a product is closed by parentheses.
        let s = Expr.indexedSum(index: "j", from: .int(1), to: .symbol("k"), body: .component("a", index: "j"))
        XCTAssertEqual(try text(.mul([s, b])), "(∑j=1kaj)\u{2062}b")
    }

    func testSumsIntegralsAndKLCarryTheirNotation() throws {
        let s = Expr.indexedSum(index: "j", from: .int(1), to: .symbol("k"), body: .log(.component("sigma", index: "j")))
        let sum = try XCTUnwrap(try tree(s).all("munderover").first)
        XCTAssertEqual(sum.children.map(\.allText), ["∑", "j=1", "k"])
        let integral = try tree(.integral(.mul([qzx, .log(pxz)]), over: ["z_l", "z_u"]))
        XCTAssertTrue(integral.allText.hasPrefix("∬"))
        XCTAssertEqual(integral.all("mi").filter { $0.allText == "d" }.count, 2)
        let kl = try tree(.kl(qzx, pz))
        XCTAssertTrue(kl.allText.contains("KL(q(z|x)‖p(z))"))
    }

    func testNamesGetTheirLettersAccentsAndSubscripts() throws {
        let hat = try tree(.symbol("xhat"))
        XCTAssertEqual(hat.all("mover").first?.children.map(\.allText), ["x", "^"])
        let tilde = try tree(.symbol("Sigmatilde"))
        XCTAssertEqual(tilde.all("mover").first?.children.map(\.allText), ["Σ", "~"])
        let sub = try tree(.symbol("gamma_1"))
        XCTAssertEqual(sub.all("msub").first?.children.map(\.name), ["mi", "mn"])
        XCTAssertEqual(sub.allText, "γ1")
        XCTAssertEqual(try tree(.component("mu_z", index: "j")).allText, "μz,j")
        XCTAssertEqual(try tree(.symbol("logvar")).allText, "logvar", "a word is not split into letters")
    }

    func testPowersRootsTransposesAndInverses() throws {
        XCTAssertEqual(try tree(.squareRoot(a)).all("msqrt").count, 1)
        XCTAssertEqual(try tree(.power(a, .int(-1))).all("mfrac").first?.children.map(\.allText), ["1", "a"])
        let t = try tree(.apply("transpose", [.symbol("A")]))
        XCTAssertEqual(t.all("msup").first?.children.map(\.allText), ["A", "⊤"])
        let inv = try tree(.apply("inverse", [.symbol("Sigma")]))
        XCTAssertEqual(inv.all("msup").first?.children.map(\.allText), ["Σ", "−1"])
        XCTAssertEqual(try text(.apply("tr", [.symbol("A")])), "tr(A)")
        XCTAssertEqual(try text(.apply("abs", [a])), "|a|")
    }

    func testARelationAndItsLeftSide() throws {
        let t = try tree(.kl(qzx, pz), relation: "≥", lhs: .int(0))
        XCTAssertEqual(t.attributes["display"], "block")
        XCTAssertTrue(t.allText.hasPrefix("0≥KL"))
    }
}
