import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Expressions: precedence, the `log` rule, big operators and every spelling.
final class ExpressionTests: XCTestCase {
    let x = Expr.symbol("x"), z = Expr.symbol("z"), gamma = Expr.symbol("gamma"), k = Expr.symbol("k")
    let pxz = Expr.density(Density(joint: "p", variables: ["x"], given: ["z"]))
    let pz = Expr.density(Density(joint: "p", variables: ["z"]))
    let qzx = Expr.density(Density(joint: "q", variables: ["z"], given: ["x"]))

    func testPrecedence() {
        assertParses("-x^2", to: .product([.int(-1), .power(x, .int(2))]))
        assertParses("x^2^3", to: .power(x, .power(.int(2), .int(3))))
        assertParses("x - z", to: .sum([x, .product([.int(-1), z])]))
        assertParses("x + z gamma", to: .sum([x, .product([z, gamma])]))
        // Juxtaposition binds like `*` and `/`, left to right.
        assertParses("x / z gamma", to: .product([x, .power(z, .int(-1)), gamma]))
        assertParses("1/k sum_{j=1}^{k} x_j", to: .product([.power(k, .int(-1)),
            .indexedSum(index: "j", from: .int(1), to: k, body: .component("x", index: "j"))]))
        assertParses("x * -z", to: .product([.int(-1), x, z]))
        assertParses("(x + z)^2", to: .power(.sum([x, z]), .int(2)))
        assertSameExpr("2 gamma", "2 * gamma")
        assertSameExpr("2 gamma", "2·gamma")
        assertSameExpr("2 gamma", "2γ")
        assertSameExpr("x − z", "x - z")
    }

    func testNumbersAreExact() {
        assertParses("x/2", to: .product([.number(Rational(1, 2)), x]))
        assertParses("0.5 x", to: .product([.number(Rational(1, 2)), x]))
        assertParses("1e-3", to: .number(Rational(1, 1000)))
        assertParses("0.1 + 0.2", to: .number(Rational(3, 10)))
        assertParses("-3", to: .int(-3))
    }

    func testLogTakesOneFactorWithoutParentheses() {
        assertParses("log p(x | z) p(z)", to: .product([.log(pxz), pz]))
        assertParses("log(p(x | z) p(z))", to: .log(.product([pxz, pz])))
        assertParses("log x^2", to: .log(.power(x, .int(2))))
        assertParses("log(x)^2", to: .power(.log(x), .int(2)))
        assertParses("log log x", to: .log(.log(x)))
        assertSameExpr("exp logvar", "exp(logvar)")
        assertSameExpr("ln gamma", "log(gamma)")
        assertParses("sqrt(gamma)", to: .power(gamma, .number(.half)))
        assertSameExpr("√gamma", "sqrt(gamma)")
        assertSameExpr("e^{x}", "exp(x)")
        assertParses("e", to: .constant(.e))
        assertSameExpr("π", "pi")
        assertParses("2 pi", to: .product([.int(2), .constant(.pi)]))
    }

    func testMatrixForms() {
        assertParses("x^T", to: .apply("transpose", [x]))
        assertSameExpr("xᵀ", "x^T")
        assertParses("x^-1", to: .power(x, .int(-1)))
        assertSameExpr("x^{-1}", "x^-1")
        assertSameExpr("x⁻¹", "x^-1")
        assertParses("tr(x)", to: .apply("tr", [x]))
        assertParses("det(x)", to: .apply("det", [x]))
        assertParses("abs(x)", to: .apply("abs", [x]))
    }

    func testSuperscriptsAndNorms() {
        assertSameExpr("gamma²", "gamma^2")
        assertSameExpr("γ²", "gamma^2")
        let n = Expr.norm2(.sum([x, .product([.int(-1), .symbol("xhat")])]))
        assertParses("norm2(x - xhat)", to: n)
        assertParses("‖x - x̂‖²", to: n)
        assertParses("‖x - xhat‖_2^2", to: n)
        assertParses("‖x - xhat‖^2", to: n)
        assertParses("||x - xhat||^2", to: n)
        assertParses("‖x‖", to: .power(.norm2(x), .number(.half)))
        assertParses("k/2 ‖x‖²", to: .product([.number(.half), k, .norm2(x)]))
    }

    func testDensitiesFoldSubscripts() {
        assertParses("p_theta(x | z)", to: pxz)
        assertSameExpr("p_θ(x|z)", "p(x | z)")
        assertSameExpr("q_phi(z | x)", "q(z|x)")
        assertSameExpr("q_ϕ(z | x)", "q_φ(z | x)")
        assertSameExpr("p_{theta}(x | z)", "p(x | z)")
        assertParses("p(x, z)", to: .density(Density(joint: "p", variables: ["x", "z"])))
    }

    func testExpectationSpellings() {
        let e = Expr.expectation(measure: qzx, body: .log(pxz))
        assertParses("E_{q(z | x)}[ log p(x | z) ]", to: e)
        assertParses("𝔼_{q_φ(z|x)}[log p_θ(x|z)]", to: e)
        assertParses("E_{q(z|x)}(log(p(x|z)))", to: e)
        assertParses("E_{z ~ q(z | x)}[log p(x | z)]", to: e)
        assertParses("E_{q(z | x) p(x | z)}[gamma]", to: .expectation(measure: .product([qzx, pxz]), body: gamma))
    }

    func testKLSpellings() {
        let kl = Expr.kl(qzx, pz)
        assertParses("KL(q(z | x) || p(z))", to: kl)
        assertParses("KL(q(z|x), p(z))", to: kl)
        assertParses("D_KL(q(z|x) || p(z))", to: kl)
        assertParses("D_{KL}(q(z|x) || p(z))", to: kl)
        assertParses("𝒦ℒ(q(z|x) ‖ p(z))", to: kl)
        assertParses("H(q(z | x))", to: .entropy(qzx))
        assertParses("N(x; mu, gamma^2)", to: .normalDensity(point: x, mean: .symbol("mu"), variance: .power(gamma, .int(2))))
        assertSameExpr("𝒩(x; μ, γ²)", "N(x; mu, gamma^2)")
    }

    func testSums() {
        let comp = Expr.component("mu", index: "j")
        assertParses("Σ_{j=1}^{m} mu_j", to: .indexedSum(index: "j", from: .int(1), to: .symbol("m"), body: comp))
        // Without bounds the range is the dimension of the vector: mu parameterises q(z | x), z is real[m].
        assertSameExpr("Σ_j mu_j", "sum_{j=1}^{m} mu_j")
        assertSameExpr("sum_j mu_j", "sum_{j=1}^{m} mu_j")
        assertSameExpr("Σ_{j} mu_j", "sum_{j=1}^{m} mu_j")
        assertSameExpr("∑_{j=1}^{m} μ_j", "sum_{j=1}^{m} mu_j")
        assertSameExpr("Σ_{j=1}^m mu_j", "sum_{j=1}^{m} mu_j")
        // The body is one product: a following `+` ends it.
        assertParses("Σ_j mu_j + gamma", to: .sum([.indexedSum(index: "j", from: .int(1), to: .symbol("m"), body: comp), gamma]))
        assertParses("sum_{j=1}^{k} x_j xhat_j gamma", to: .indexedSum(index: "j", from: .int(1), to: k,
            body: .product([.component("x", index: "j"), .component("xhat", index: "j"), gamma])))
        // A shaped param's numbered component.
        assertParses("g2_1", to: .component("g2", index: "1"))
    }

    func testIntegrals() {
        let body = Expr.product([qzx, .log(pxz)])
        assertParses("int q(z | x) log p(x | z) dz", to: .integral(body, over: ["z"]))
        assertParses("∫ q(z|x) log p(x|z) dz", to: .integral(body, over: ["z"]))
        assertParses("∫ q(z|x) log p(x|z) d(z)", to: .integral(body, over: ["z"]))
        // The body is a whole expression up to the differential.
        assertParses("∫ q(z|x) log p(x|z) + gamma dz", to: .integral(.sum([body, gamma]), over: ["z"]))
        assertParses("iint p(x, z) dx dz", to: .integral(.density(Density(joint: "p", variables: ["x", "z"])), over: ["x", "z"]))
        assertSameExpr("∬ p(x, z) dx dz", "iint p(x, z) dx dz")
        assertSameExpr("∫ ∫ p(x, z) dx dz", "int (int p(x, z) dx) dz")
        assertParses("gamma ∫ p(z) dz + k", to: .sum([.product([gamma, .integral(pz, over: ["z"])]), k]))
    }

    func testDefinitionsAndNetworks() {
        assertParses("MSE(x, xhat)", to: .apply("MSE", [x, .symbol("xhat")]))
        assertParses("decoder(z)", to: .apply("decoder", [z]))
        let d = Fixtures.vaeDeclarations.definition("MSE")
        let diff = Expr.sum([.component("a", index: "j"), .product([.int(-1), .component("b", index: "j")])])
        XCTAssertEqual(d?.body, .product([.power(k, .int(-1)),
            .indexedSum(index: "j", from: .int(1), to: k, body: .power(diff, .int(2)))]))
    }

    func testUnicodeAndASCIISpellingsAgree() {
        assertSameExpr("−k log γ − 1/(2γ²) 𝔼_{q_ϕ(z|x)}[‖x − x̂‖²] + ½ Σ_j (1 + logvar_j − μ_j² − exp(logvar_j))",
                       "-k log(gamma) - 1/(2 gamma^2) E_{q(z | x)}[norm2(x - xhat)] + 1/2 sum_{j=1}^{m} (1 + logvar_j - mu_j^2 - exp(logvar_j))")
        assertSameExpr("∫ q_φ(z|x) log( p_θ(x|z) p_θ(z) / q_φ(z|x) ) dz",
                       "int q(z | x) log(p(x | z) p(z) / q(z | x)) dz")
    }
}
