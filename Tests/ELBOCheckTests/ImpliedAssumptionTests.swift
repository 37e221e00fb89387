import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// An assumption the model's factorisation already implies (found by the random-model corpus,
/// issue 13): it used to rebuild the joint as "everything else × the assumed conditional",
/// forgetting the declared factors, so a true step that cited it lost its proof
/// (holds-numerically) while the same step without `assuming` was verified.
final class ImpliedAssumptionTests: XCTestCase {
    static let model = """
    derivation roots "two independent roots"
    variables
      w : latent real[1]
      z : latent real[1]
      x : observed real[1]
    model p(w, z, x) = p(x | z) p(z) p(w)
    guide q(w, z | x) = q(w | z, x) q(z | x)
    assume z_ignores_w: p(z | w) = p(z)
    assume x_ignores_w: p(x | z, w) = p(x | z)
    assume w_ignores_z_given_x: q(w | z, x) = q(w | x)
    steps
          E_{q(w, z | x)}[ log( p(w, z, x) / q(w, z | x) ) ]
      (cited) = E_{q(w, z | x)}[ log p(w) + log p(z | w) + log p(x | z) - log q(z | x) - log q(w | z, x) ]
        assuming z_ignores_w
      (cited2) = E_{q(w, z | x)}[ log p(w) + log p(z | w) + log p(x | z, w) - log q(z | x) - log q(w | z, x) ]
        assuming z_ignores_w, x_ignores_w
      (wrong) = E_{q(w, z | x)}[ log p(w) + log p(z | w) + log p(x | w) - log q(z | x) - log q(w | z, x) ]
        assuming z_ignores_w
        expect refuted
    """

    func testAStepCitingAnImpliedAssumptionIsVerifiedAndAWrongOneRefuted() throws {
        let v = verdicts(Self.model)
        for label in ["(cited)", "(cited2)"] {
            let s = try XCTUnwrap(v[label])
            XCTAssertEqual(s.verdict, .verified, "\(label): \(s.message)")
        }
        XCTAssertEqual(try XCTUnwrap(v["(wrong)"]).verdict, .refuted)
    }

    func testDSeparationOnTheDeclaredFactors() throws {
        let spec = try SpecParser.parse(source: Self.model, path: "roots.elbo")
        let decl = try XCTUnwrap(spec.derivations.first).declarations
        let p = try ProbabilityContext(declarations: decl)
        // Roots w and z are independent; x depends on w through nothing (x has parent z only).
        XCTAssertTrue(p.impliesIndependence(in: "p", ["z"], ["w"], given: []))
        XCTAssertTrue(p.impliesIndependence(in: "p", ["x"], ["w"], given: ["z"]))
        XCTAssertTrue(p.impliesIndependence(in: "p", ["x"], ["w"], given: []))
        XCTAssertFalse(p.impliesIndependence(in: "p", ["x"], ["z"], given: []))
        XCTAssertFalse(p.impliesIndependence(in: "p", ["x"], ["z"], given: ["w"]))
        // The guide: w depends on z given x.
        XCTAssertFalse(p.impliesIndependence(in: "q", ["w"], ["z"], given: ["x"]))
        // With w_ignores_z_given_x in force the guide's w factor drops z (a declared factor): then implied.
        let q = try ProbabilityContext(declarations: decl, assumptions: ["w_ignores_z_given_x"])
        XCTAssertTrue(q.impliesIndependence(in: "q", ["w"], ["z"], given: ["x"]))
    }

    func testAColliderAndAChain() throws {
        let spec = try SpecParser.parse(source: """
        derivation collider "a → c ← b → d"
        variables
          a : latent real[1]
          b : latent real[1]
          c : latent real[1]
          d : observed real[1]
        model p(a, b, c, d) = p(d | b) p(c | a, b) p(b) p(a)
        steps
            log p(a)
          = log p(a)
        """, path: "collider.elbo")
        let p = try ProbabilityContext(declarations: try XCTUnwrap(spec.derivations.first).declarations)
        XCTAssertTrue(p.impliesIndependence(in: "p", ["a"], ["b"], given: []))
        XCTAssertFalse(p.impliesIndependence(in: "p", ["a"], ["b"], given: ["c"]), "conditioning on a collider connects its parents")
        XCTAssertTrue(p.impliesIndependence(in: "p", ["a"], ["d"], given: []))
        XCTAssertFalse(p.impliesIndependence(in: "p", ["a"], ["d"], given: ["c"]))
        XCTAssertTrue(p.impliesIndependence(in: "p", ["a"], ["d"], given: ["c", "b"]))
        XCTAssertTrue(p.impliesIndependence(in: "p", ["c"], ["d"], given: ["b"]))
        XCTAssertFalse(p.impliesIndependence(in: "p", ["c"], ["d"], given: []))
    }
}
