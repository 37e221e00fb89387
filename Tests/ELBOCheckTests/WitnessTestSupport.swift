import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

// Small builders so that witness tests read like the derivations they check.

/// `joint(vars | given)` as an expression.
func wd(_ joint: String, _ vars: [String], _ given: [String] = []) -> Expr {
    .density(Density(joint: joint, variables: vars, given: given))
}
/// `joint(vars | given)` as a density.
func wdensity(_ joint: String, _ vars: [String], _ given: [String] = []) -> Density {
    Density(joint: joint, variables: vars, given: given)
}
func wlog(_ e: Expr) -> Expr { .log(e) }
func wsym(_ s: String) -> Expr { .symbol(s) }
func wnum(_ n: Int, _ d: Int = 1) -> Expr { .number(Rational(n, d)) }
func wadd(_ xs: Expr...) -> Expr { Expr.add(xs) }
func wmul(_ xs: Expr...) -> Expr { Expr.mul(xs) }
func wsub(_ a: Expr, _ b: Expr) -> Expr { Expr.subtract(a, b) }
func wdiv(_ a: Expr, _ b: Expr) -> Expr { Expr.divide(a, b) }
func wneg(_ a: Expr) -> Expr { Expr.negate(a) }
func wE(_ measure: Expr, _ body: Expr) -> Expr { .expectation(measure: measure, body: body) }
func wint(_ body: Expr, _ vars: String...) -> Expr { .integral(body, over: vars) }
func wKL(_ p: Expr, _ q: Expr) -> Expr { .kl(p, q) }
func wsum(_ j: String, _ to: Expr, _ body: Expr) -> Expr { .indexedSum(index: j, from: wnum(1), to: to, body: body) }
func wc(_ base: String, _ j: String = "j") -> Expr { .component(base, index: j) }

/// A variable declaration.
func wvar(_ name: String, _ role: VariableRole, _ type: VariableType) -> Variable {
    Variable(name: name, role: role, type: type)
}
func wreal(_ d: String) -> VariableType { .real(.symbol(d)) }

/// VAE declarations: `x : observed real[k]`, `z : latent` (real[m] unless given),
/// `model p(x, z) = p(x | z) p(z)`, `guide q(z | x)`.
func witnessVAEDeclarations(z zType: VariableType = wreal("m"), x xType: VariableType = wreal("k")) -> Declarations {
    var d = Declarations()
    d.variables = [wvar("x", .observed, xType), wvar("z", .latent, zType)]
    d.joints = [
        Joint(kind: .model, name: "p", variables: ["x", "z"], given: [],
              factors: [wdensity("p", ["x"], ["z"]), wdensity("p", ["z"])]),
        Joint(kind: .guide, name: "q", variables: ["z"], given: ["x"], factors: nil),
    ]
    return d
}

/// The VAE's evidence lower bound `E_q[log p(x, z) − log q(z | x)]`.
let witnessVAEELBO = wE(wd("q", ["z"], ["x"]), wsub(wlog(wd("p", ["x", "z"])), wlog(wd("q", ["z"], ["x"]))))

func assertWitnessAgrees(_ engine: WitnessEngine, _ lhs: Expr, _ relation: Relation, _ rhs: Expr,
                  assuming: [String] = [], file: StaticString = #filePath, line: UInt = #line) {
    let outcome = engine.check(lhs: lhs, rhs: rhs, relation: relation, assumptions: assuming)
    XCTAssertTrue(outcome.agrees, "expected agreement, got \(outcome)", file: file, line: line)
}

@discardableResult
func assertWitnessRefutes(_ engine: WitnessEngine, _ lhs: Expr, _ relation: Relation, _ rhs: Expr,
                   assuming: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> Counterexample? {
    let outcome = engine.check(lhs: lhs, rhs: rhs, relation: relation, assumptions: assuming)
    XCTAssertTrue(outcome.disagrees, "expected a refutation, got \(outcome)", file: file, line: line)
    return outcome.counterexample
}

func assertWitnessSkips(_ engine: WitnessEngine, _ lhs: Expr, _ relation: Relation, _ rhs: Expr, assuming: [String] = [],
                 mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
    let outcome = engine.check(lhs: lhs, rhs: rhs, relation: relation, assumptions: assuming)
    XCTAssertTrue(outcome.skipReason?.contains(text) ?? false, "expected a skip mentioning '\(text)', got \(outcome)",
                  file: file, line: line)
}
