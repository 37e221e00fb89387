import Foundation
import XCTest
@testable import ELBOCheck
import ELBOSpec

/// The seeds' LaTeX, pasted verbatim (prose included) after the declarations of a spec, checks
/// as the hand-written transcriptions in Specs/ do (SPEC-LANGUAGE.md, "Derivations straight
/// from LaTeX"). The texts are copies of ../shared/seeds in Tests/ELBOCheckTests/Seeds.
final class LaTeXSeedTests: XCTestCase {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = here.deletingLastPathComponent().deletingLastPathComponent()

    func seed(_ name: String) throws -> String {
        try String(contentsOf: Self.here.appendingPathComponent("Seeds/\(name)"), encoding: .utf8)
    }

    static let cdvaeDeclarations = """
        derivation cdvae_from_paper "Derivation of the Loss in the CDVAE, from its LaTeX"
        source "seeds/000_ac79cb0e0b00ff76.txt"
        variables
          x   : observed real[k]
          c   : input label[C]
          z_l : latent real[m_l]
          z_u : latent real[m_u]
        model p_theta(x, z_l, z_u | c) = p(x | z_l, z_u, c) p(z_l | c) p(z_u)
        guide q_phi(z_l, z_u | x) = q(z_l | x) q(z_u | x)
        assume decoder_ignores_class: p(x | z_l, z_u, c) = p(x | z_l, z_u)
        relate (7) ≥
        relate (8) = assuming decoder_ignores_class
        steps latex

        """

    func testSeed000VerbatimChecksLikeTheHandWrittenSpec() throws {
        let source = Self.cdvaeDeclarations + (try seed("000_ac79cb0e0b00ff76.txt"))
        let spec = try SpecParser.parse(source: source, path: "cdvae_latex.elbo")
        XCTAssertEqual(spec.derivations.count, 1)
        let report = Checker().check(spec)
        let steps = try XCTUnwrap(report.derivations.first).steps
        XCTAssertEqual(steps.map { $0.label ?? "-" }, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"])
        for s in steps { XCTAssertEqual(s.verdict, .verified, "(\(s.label ?? "?")): \(s.message)") }
        XCTAssertEqual(steps.map(\.relation), ["=", "=", "=", "=", "=", "=", "≥", "="])

        // The same expressions as the transcription by hand.
        let hand = try SpecParser.parseFile(at: Self.packageRoot.appendingPathComponent("Specs/cdvae.elbo").path)
        let byHand = try XCTUnwrap(hand.derivations.first)
        let fromLaTeX = try XCTUnwrap(spec.derivations.first)
        XCTAssertEqual(fromLaTeX.start, byHand.start)
        XCTAssertEqual(fromLaTeX.steps.map(\.expr), byHand.steps.map(\.expr))
        XCTAssertEqual(fromLaTeX.steps.map(\.assumptions), byHand.steps.map(\.assumptions))
    }

    func testSeed000StepsPointIntoTheLaTeX() throws {
        let source = Self.cdvaeDeclarations + (try seed("000_ac79cb0e0b00ff76.txt"))
        let spec = try SpecParser.parse(source: source, path: "cdvae_latex.elbo")
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for step in try XCTUnwrap(spec.derivations.first).steps {
            let line = lines[step.exprLocation.line - 1]
            XCTAssertTrue(line.contains("$$"), "step (\(step.label ?? "?")) points at line \(step.exprLocation.line): \(line.prefix(40))")
        }
    }

    /// Section 3 of seed 001 from (5) on, under the declarations of Specs/srvae.elbo's
    /// `srvae_elbo` (the guide after (4')); each display with its own left side is a chain.
    static let srvaeModel = """
        derivation srvae_from_paper "SRVAE (5)-(9), from its LaTeX"
        variables
          x : observed real[k]
          y : latent real[k_y]
          u : latent real[m_u]
          z : latent real[m_z]
        model p(x, y, u, z) = p(x | y, u, z) p(z | y, u) p(y | u) p(u)
        guide q(y, u, z | x) = q(z | y, x) q(u | y) q(y | x)
        assume x_ignores_u: p(x | y, u, z) = p(x | y, z)
        assume z_ignores_y: q(z | y, x) = q(z | x)
        # (5) bounds log p(x) by a function of y; (6), (7) and (9) write q(z | y, x) log(…) inside
        # E_{q(…)} without integrating (see srvae_6 and srvae_9 in Specs/srvae.elbo).
        relate (5) assuming x_ignores_u expect refuted
        relate (6) expect refuted, refuted
        relate (7) expect refuted
        relate (8) assuming z_ignores_y
        relate (9) expect refuted, holds
        ignore (11), (12), (13), (14), (15), (16), (17)
        """

    func seed001FromFive() throws -> String {
        let text = try seed("001_81a628ed461caa4b.txt")
        let start = try XCTUnwrap(text.range(of: "On a donc l'elbo suivant"))
        return String(text[start.lowerBound...])
    }

    func testSeed001FromFiveHasTheVerdictsOfTheHandWrittenSpec() throws {
        let result = SpecParser.parseDocument(source: try seed001FromFive(), path: "srvae.md",
                                              modelSource: Self.srvaeModel, modelPath: "srvae_model.elbo")
        XCTAssertEqual(result.diagnostics, [])
        let report = Checker().check(result.file)
        var seen: [String: [Verdict]] = [:]
        for d in report.derivations { for s in d.steps { seen[s.label ?? "unlabelled in \(d.name)", default: []].append(s.verdict) } }
        XCTAssertEqual(seen["(5)"], [.refuted])        // srvae_elbo (5)
        XCTAssertEqual(seen["(6)"], [.refuted])        // srvae_6 (6a), and the line after it
        XCTAssertEqual(seen["(7)"], [.refuted])
        XCTAssertEqual(seen["(8)"], [.approximation])  // srvae_elbo_xy (8)
        XCTAssertEqual(seen["(9)"], [.verified])       // srvae_9 (9b), after the refuted (9a)
        let unlabelled = seen.filter { $0.key.hasPrefix("unlabelled") }.values.flatMap { $0 }
        XCTAssertEqual(unlabelled, [.refuted, .refuted])  // (6a) and (9a)
        for d in report.derivations { for s in d.steps { XCTAssertTrue(s.meetsExpectation, "\(d.name) \(s.name): \(s.message)") } }
    }

    func testSeed001DecoderDisplayUnderTheDecoderDeclarations() throws {
        let model = """
            derivation srvae_decoder_from_paper "SRVAE (12), from its LaTeX"
            variables
              x : observed real[k]
              y : observed real[k_y]
              z : latent real[m_z]
            param gamma_1 > 0
            model p(x, z | y) = p(x | y, z) p(z | y)
            guide q(z | x)
            network dec_x: y, z -> xhat
            family p(x | y, z) = Normal(xhat, gamma_1^2)
            alias gamma = gamma_1
            ignore (5), (6), (7), (8), (9), (10), (11), (13), (14), (15), (16), (17)
            """
        let result = SpecParser.parseDocument(source: try seed001FromFive(), path: "srvae.md", modelSource: model,
                                              modelPath: "decoder.elbo")
        XCTAssertEqual(result.diagnostics, [])
        let steps = try XCTUnwrap(Checker().check(result.file).derivations.first).steps
        XCTAssertEqual(steps.map(\.relation), ["=", "∝"])
        XCTAssertEqual(steps.map(\.verdict), [.verified, .verified])  // srvae_decoder (12a), (12b)
    }

    /// A derivation as blogs typeset it (`align` with `\tag`, `\mid`, `\mathbb{E}_{z \sim q}`,
    /// `D_{\text{KL}}(… \mid\mid …)`, `\underbrace`, `\Big[`, `\text{ELBO} = …`), with a sign error.
    func testABlogStyleELBO() throws {
        let model = """
            derivation vae_blog "the ELBO as a blog writes it"
            variables
              x : observed real[k]
              z : latent real[m]
            model p_theta(x, z) = p(x | z) p(z)
            guide q_phi(z | x)
            relate (4) expect refuted
            relate (5) =
            """
        let result = SpecParser.parseDocument(source: try seed("blog_elbo.md"), path: "blog.md", modelSource: model,
                                              modelPath: "blog.elbo")
        XCTAssertEqual(result.diagnostics, [])
        let steps = try XCTUnwrap(Checker().check(result.file).derivations.first).steps
        XCTAssertEqual(steps.map { $0.label ?? "-" }, ["-", "(1)", "(2)", "(3)", "(4)", "(5)"])
        XCTAssertEqual(steps.map(\.verdict), [.verified, .verified, .verified, .verified, .refuted, .verified])
    }
}
