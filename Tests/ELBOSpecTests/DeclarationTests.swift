import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Every declaration form of the spec language's table.
final class DeclarationTests: XCTestCase {
    private func vae() throws -> Derivation {
        try XCTUnwrap(parseOrFail(Fixtures.vae)?.derivations.first)
    }

    func testHeaderSourceVariablesAndDimensions() throws {
        let d = try vae()
        XCTAssertEqual(d.name, "vae")
        XCTAssertEqual(d.title, "Gaussian VAE")
        XCTAssertEqual(d.source, "seeds/003_59f32fae6203bda3.txt")
        XCTAssertEqual(d.location, SourceLocation(file: "test.elbo", line: 2, column: 1))
        XCTAssertEqual(d.declarations.variables, [
            Variable(name: "x", role: .observed, type: .real(.symbol("k"))),
            Variable(name: "z", role: .latent, type: .real(.symbol("m"))),
            Variable(name: "c", role: .input, type: .label(.symbol("C"))),
            Variable(name: "y", role: .input, type: .label(.symbol("C"))),
        ])
        XCTAssertEqual(d.declarations.dimensions, ["k", "m", "C", "K"])
    }

    func testParams() throws {
        let d = try vae()
        XCTAssertEqual(d.declarations.params, [
            Param(name: "gamma", shape: [], positive: true),
            Param(name: "w", shape: [.symbol("K")], positive: false),
            Param(name: "g2", shape: [.value(2)], positive: true),
        ])
    }

    func testJointsNetworksFamiliesDefinitionsAssumptions() throws {
        let decls = try vae().declarations
        XCTAssertEqual(decls.joints.map(\.name), ["p", "q"])
        XCTAssertEqual(decls.joint("q")?.kind, .guide)
        XCTAssertEqual(decls.joint("p")?.factors, [Density(joint: "p", variables: ["x"], given: ["z"]), Density(joint: "p", variables: ["z"])])
        XCTAssertEqual(decls.networks, [Network(name: "encoder", inputs: ["x"], outputs: ["mu", "logvar"]),
                                        Network(name: "decoder", inputs: ["z"], outputs: ["xhat"])])
        XCTAssertEqual(decls.families, [
            Family(density: Density(joint: "q", variables: ["z"], given: ["x"]), kind: .normal(mean: .symbol("mu"), variance: .exp(.symbol("logvar")))),
            Family(density: Density(joint: "p", variables: ["x"], given: ["z"]), kind: .normal(mean: .symbol("xhat"), variance: .power(.symbol("gamma"), .int(2)))),
            Family(density: Density(joint: "p", variables: ["z"]), kind: .normal(mean: .int(0), variance: .int(1))),
        ])
        XCTAssertEqual(decls.definitions.map(\.name), ["MSE"])
        XCTAssertEqual(decls.definitions.first?.parameters, ["a", "b"])
        XCTAssertEqual(decls.assumptions, [Assumption(name: "prior_split", kind: .equality(
            lhs: Density(joint: "p", variables: ["x", "z"]),
            rhs: [Density(joint: "p", variables: ["x"], given: ["z"]), Density(joint: "p", variables: ["z"])]))])
        XCTAssertEqual(familyParameters(of: decls), ["mu", "logvar", "xhat"])
    }

    func testDeclarationLocations() throws {
        let locations = try vae().declarationLocations
        func at(_ key: String) -> [Int]? { locations[key].map { [$0.line, $0.column] } }
        XCTAssertEqual(at("x"), [6, 3])
        XCTAssertEqual(at("k"), [6, 21], "a dimension introduced by a type")
        XCTAssertEqual(at("gamma"), [11, 7])
        XCTAssertEqual(at("p"), [15, 7])
        XCTAssertEqual(at("q"), [16, 7])
        XCTAssertEqual(at("encoder"), [18, 9])
        XCTAssertEqual(at("mu"), [18, 23], "a network output")
        XCTAssertEqual(at("q(z | x)"), [21, 8], "a family, keyed by its density")
        XCTAssertEqual(at("MSE"), [25, 8])
        XCTAssertEqual(at("prior_split"), [27, 8])
        XCTAssertEqual(at("loss"), [40, 11])
    }

    func testFamilyParametersAreKnownSymbolsWithLocations() throws {
        let src = """
        derivation f
        variables
          x : observed real[k]
          z : latent real[k]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        family q(z | x) = Normal(m, exp(s))
        steps
          E_{q(z | x)}[ Σ_j (m_j + s_j) ]
        """
        let d = try XCTUnwrap(parseOrFail(src)?.derivations.first)
        XCTAssertEqual(familyParameters(of: d.declarations), ["m", "s"])
        XCTAssertEqual(d.declarationLocations["m"], SourceLocation(file: "test.elbo", line: 7, column: 26))
        XCTAssertEqual(d.declarationLocations["s"], SourceLocation(file: "test.elbo", line: 7, column: 33))
        guard case .expectation(_, .indexedSum(_, _, let to, _))? = d.start else { return XCTFail("\(String(describing: d.start))") }
        XCTAssertEqual(to, .symbol("k"), "the range of Σ_j is the dimension of the family's variable")
    }

    func testObjectiveAndEstimate() throws {
        let d = try vae()
        XCTAssertEqual(d.objectives.map(\.name), ["loss"])
        XCTAssertEqual(d.objectives.first?.expr, .product([.int(-1), .stepRef("3")]))
        XCTAssertEqual(d.estimates, [EstimateDecl(measure: .density(Density(joint: "q", variables: ["z"], given: ["x"])),
                                                  method: "reparameterization", samples: 1,
                                                  location: SourceLocation(file: "test.elbo", line: 41, column: 1))])
    }

    func testComputedObservedVariable() throws {
        let src = """
        derivation sr "computed data"
        variables
          x : observed real[k]
          y : observed real[k_y] = downsample2x2(x)
        """
        let decls = try XCTUnwrap(parseOrFail(src)?.derivations.first?.declarations)
        XCTAssertEqual(decls.variable("y")?.computed, .apply("downsample2x2", [.symbol("x")]))
        XCTAssertNil(decls.variable("x")?.computed)
    }

    func testOtherFamiliesAndDeterministicAssumption() throws {
        let src = """
        derivation srvae "families"
        variables
          x : observed binary[k]
          y : latent label[C]
          u : latent real[d]
          z : latent real[d]
        model p(x, y, u, z) = p(x | y, z) p(z | y, u) p(y | u) p(u)
        guide q(y, u, z | x) = q(z | y, x) q(u | y) q(y | x)
        network classifier: x -> pi_y
        family p(x | y, z) = Bernoulli(logits = f)
        family p(y | u) = Categorical(pi_y)
        family p(z | y, u) = Bernoulli(0.5)
        family p(u) = MixtureNormal(w, mu_k, s2; K)
        family q(y | x) = Delta(classifier(x))
        assume y_deterministic: y deterministic given x in q_phi
        assume u_ignores_x: q(u | y, x) = q(u | y)
        """
        let decls = try XCTUnwrap(parseOrFail(src)?.derivations.first?.declarations)
        XCTAssertEqual(decls.families.map(\.kind), [
            .bernoulliLogits(.symbol("f")),
            .categorical(.symbol("pi_y")),
            .bernoulli(.number(.half)),
            .mixtureNormal(weights: .symbol("w"), means: .symbol("mu_k"), variances: .symbol("s2"), components: .symbol("K")),
            .delta(.apply("classifier", [.symbol("x")])),
        ])
        XCTAssertTrue(decls.dimensions.contains("K"), "a mixture's component count is a dimension")
        XCTAssertEqual(familyParameters(of: decls), ["f", "pi_y", "w", "mu_k", "s2"])
        XCTAssertEqual(decls.assumptions.map(\.kind), [
            .deterministic(variable: "y", given: ["x"], joint: "q"),
            .equality(lhs: Density(joint: "q", variables: ["u"], given: ["y", "x"]), rhs: [Density(joint: "q", variables: ["u"], given: ["y"])]),
        ])
    }

    func testUnstructuredJointAndLooseForms() throws {
        let src = """
        derivation loose
        variables x : observed real
          z, w : latent real[3]
        dim d
        param a, b[d, 2] > 0
        model p(x, z, w)
        guide q(z, w | x) = q(z | x) * q(w | z, x)
        steps
          log p(x)
        """
        let d = try XCTUnwrap(parseOrFail(src)?.derivations.first)
        XCTAssertEqual(d.title, "loose", "the title defaults to the name")
        XCTAssertEqual(d.declarations.variables.map(\.type), [.real(.value(1)), .real(.value(3)), .real(.value(3))])
        // A constraint after a list applies to every name of the list (SPEC-LANGUAGE.md).
        XCTAssertEqual(d.declarations.params, [Param(name: "a", shape: [], positive: true),
                                               Param(name: "b", shape: [.symbol("d"), .value(2)], positive: true)])
        XCTAssertNil(d.declarations.joint("p")?.factors, "a model without '= …' is unstructured")
        XCTAssertEqual(d.declarations.joint("q")?.factors?.count, 2)
        XCTAssertTrue(d.steps.isEmpty)
        XCTAssertEqual(d.start, .log(.density(Density(joint: "p", variables: ["x"]))))
    }

    func testDeclarationsMayFollowTheirUses() throws {
        let src = """
        derivation later
        steps
          E_{q(z | x)}[ MSE(x, m) ]
          (1) = E_{q(z | x)}[ MSE(x, m) ]
        define MSE(a, b) = Σ_{j=1}^{k} (a_j - b_j)^2
        family p(x | z) = Normal(m, 1)
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        variables
          x : observed real[k]
          z : latent real[k]
        """
        let d = try XCTUnwrap(parseOrFail(src)?.derivations.first)
        XCTAssertEqual(d.steps.count, 1)
        XCTAssertEqual(d.declarationLocations["MSE"], SourceLocation(file: "test.elbo", line: 5, column: 8))
    }
}
