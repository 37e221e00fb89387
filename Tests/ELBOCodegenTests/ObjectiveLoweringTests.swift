import XCTest
import Foundation
import ELBOAlgebra
import ELBOSpec
import ELBOCheck
@testable import ELBOCodegen

/// Lowering checked objectives from Specs/ into loss programs.
final class ObjectiveLoweringTests: XCTestCase {
    static var specs: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Specs").path
    }

    func lower(_ file: String) throws -> [LossProgram] {
        let path = Self.specs + "/" + file
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let spec = try SpecParser.parse(source: text, path: path)
        var out: [LossProgram] = []
        for d in spec.derivations {
            let (report, checked) = Checker().check(d)
            guard let checked else {
                XCTFail("\(d.name) is not checked: \(report.steps.filter { !$0.meetsExpectation }.map(\.name))")
                continue
            }
            for o in d.objectives {
                out.append(try ObjectiveLowering.lower(checked, objective: o, specPath: "Specs/\(file)",
                                                       specHash: ObjectiveLowering.specHash(of: text)))
            }
        }
        return out
    }

    func testBernoulliVAELowersToBCEPlusClosedFormKL() throws {
        let programs = try lower("vae_bernoulli.elbo")
        XCTAssertEqual(programs.count, 1)
        let p = try XCTUnwrap(programs.first)
        print(p.loss)
        XCTAssertEqual(p.name, "VaeBernoulliLoss")
        XCTAssertEqual(p.samplers.map(\.output), ["z"])
        XCTAssertEqual(p.networks.map(\.name), ["encoder", "decoder"])
        XCTAssertFalse(p.loss.containsProbability)
        // The KL is in closed form: no term mentions the sample z except through f.
        XCTAssertTrue(p.loss.symbols.isSuperset(of: ["x", "f", "mu", "s"]))
    }

    func testSRVAELowersWithMixturePriorAndDownsampledY() throws {
        let p = try XCTUnwrap(try lower("srvae_model.elbo").first)
        XCTAssertEqual(p.name, "SrvaeLoss")
        XCTAssertEqual(p.transforms, [KernelTransform(output: "y", function: "downsample2x2", input: "x")])
        XCTAssertEqual(p.inputs.first { $0.name == "y" }?.role, .transformed)
        XCTAssertEqual(p.samplers.map(\.output).sorted(), ["u", "z"])
        XCTAssertEqual(p.params.map(\.name), ["gamma_1", "gamma_2", "a", "M_u", "V_u"])
        XCTAssertEqual(p.params.first { $0.name == "M_u" }?.initialSpread, 1)
        let text = p.loss.description
        XCTAssertTrue(text.contains("logsumexp"), text)
        XCTAssertTrue(text.contains("entry(M_u, i, j)"), text)
        XCTAssertFalse(p.loss.containsProbability)
    }

    func testEveryModelObjectiveLowers() throws {
        for file in ["vae_gaussian.elbo", "cvae_model.elbo", "cdvae_model.elbo", "srvae_model.elbo"] {
            let programs = try lower(file)
            XCTAssertEqual(programs.count, 1, file)
            for p in programs {
                print(p.name, p.loss)
                XCTAssertFalse(p.loss.containsProbability, file)
                XCTAssertFalse(p.samplers.isEmpty, file)
            }
        }
    }
}
