import Foundation
import XCTest
import ELBOAlgebra
import ELBOSpec
@testable import ELBOCheck

/// The soundness corpus over random models (`RandomModelCorpus`). For every candidate step the
/// value is judged by an oracle apart from the checker's verdict: the witness engine at another
/// seed with 48 instances, at every size of a plate. Then every change the oracle shows false must
/// be refuted, no sound step may be refuted, and the sound ones must be verified (flat models)
/// or hold numerically (plates, whose steps hold at every size tried). A sound plate step the
/// witness cannot evaluate at its largest size (too many variables) is counted apart, not failed.
///
/// `swift test` runs a fixed slice of models (seed 13); `ELBO_RANDOM_MODELS=400 swift test
/// --filter RandomModelCorpusTests` runs that many and prints the figures.
final class RandomModelCorpusTests: XCTestCase {
    struct Tally {
        var models = 0, plates = 0, candidates = 0
        var sound = 0, soundAccepted = 0, soundRefuted = 0
        /// Sound steps the witness could not evaluate at the largest size tried (a plate of
        /// five members with two latents each: tables past its 2^20 entries); not refuted.
        var soundTooLarge = 0
        var changing = 0, changingRefuted = 0
        var notShownFalse = 0, notShownFalseRefuted = 0, unclassified = 0, errors = 0
        var byKind: [String: (shownFalse: Int, refuted: Int, other: Int)] = [:]
    }

    func testRandomModelsSoundStepsHoldAndValueChangingOnesAreRefuted() throws {
        let count = Int(ProcessInfo.processInfo.environment["ELBO_RANDOM_MODELS"] ?? "") ?? 12
        var generator = RandomModelCorpus(seed: 13)
        let checker = Checker(suggestAssumptions: false)
        var oracleConfiguration = WitnessConfiguration.standard
        oracleConfiguration.seed = 0x50_0D_C0_4F_05
        oracleConfiguration.instances = 48
        var t = Tally()
        var failures: [String] = []
        let start = Date()
        for n in 0..<count {
            let model = generator.next(name: "m\(n)")
            let parsed = SpecParser.parseRecovering(source: model.spec, path: "m\(n).elbo")
            guard parsed.diagnostics.isEmpty, let derivation = parsed.file.derivations.first else {
                failures.append("model \(n) does not read (a generator bug): \(parsed.diagnostics.map(\.description))\n\(model.spec)")
                continue
            }
            t.models += 1
            if model.indexed { t.plates += 1 }
            let report = checker.check(derivation).report
            XCTAssertEqual(report.steps.count, model.candidates.count, "model \(n)")
            // The oracle at every size the checker tries (one instance for a flat model).
            let instances = derivation.sizedInstances.isEmpty ? [derivation] : derivation.sizedInstances.map(\.derivation)
            for (i, candidate) in model.candidates.enumerated() where i < report.steps.count {
                t.candidates += 1
                let verdict = report.steps[i].verdict
                let where_ = "model \(n) (c\(i)) [\(candidate.kind.rawValue)] \(candidate.text)"
                var kind = t.byKind[candidate.kind.rawValue] ?? (0, 0, 0)
                defer { t.byKind[candidate.kind.rawValue] = kind }
                if verdict == .error { t.errors += 1 }
                if candidate.kind.isSound {
                    t.sound += 1; kind.other += 1
                    let wanted: Verdict = model.indexed ? .holdsNumerically : .verified
                    if verdict == wanted || verdict == .verified { t.soundAccepted += 1 }
                    else if verdict == .unsupported, model.indexed, report.steps[i].message.contains("too large for the witness") {
                        t.soundTooLarge += 1
                    } else { failures.append("\(where_): sound but \(verdict.rawValue): \(report.steps[i].message)\n\(model.spec)") }
                    if verdict == .refuted { t.soundRefuted += 1 }
                    continue
                }
                var outcomes: [WitnessOutcome] = []
                for d in instances {
                    guard let lhs = d.start, i < d.steps.count else { continue }
                    let oracle = WitnessEngine(declarations: d.declarations, configuration: oracleConfiguration)
                    outcomes.append(oracle.check(lhs: lhs.pooledNestedIntegrals, rhs: d.steps[i].expr.pooledNestedIntegrals,
                                                 relation: d.steps[i].relation, assumptions: d.steps[i].assumptions))
                }
                if outcomes.contains(where: \.disagrees) {
                    t.changing += 1; kind.shownFalse += 1
                    if verdict == .refuted { t.changingRefuted += 1; kind.refuted += 1 }
                    else { failures.append("\(where_): changes the value but is \(verdict.rawValue): \(report.steps[i].message)\n\(model.spec)") }
                } else if !outcomes.isEmpty, outcomes.allSatisfy(\.agrees) {
                    t.notShownFalse += 1; kind.other += 1
                    if verdict == .refuted {
                        t.notShownFalseRefuted += 1
                        // An equality whose sides agree at every oracle instance must not be refuted.
                        failures.append("\(where_): the oracle finds no difference but it is refuted: \(report.steps[i].message)")
                    }
                } else {
                    t.unclassified += 1
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let kinds = t.byKind.sorted { $0.key < $1.key }
            .map { "\($0.key): \($0.value.shownFalse) shown false (\($0.value.refuted) refuted), \($0.value.other) other" }
        print("""
            random-model corpus: \(t.models) models (\(t.plates) plates), \(t.candidates) candidates in \
            \(String(format: "%.1f", seconds)) s; sound \(t.sound), accepted \(t.soundAccepted), refuted \(t.soundRefuted), \
            too large for the witness at some size \(t.soundTooLarge); \
            value-changing (oracle) \(t.changing), refuted \(t.changingRefuted); not shown false \(t.notShownFalse) \
            (\(t.notShownFalseRefuted) refuted); unclassified \(t.unclassified); error verdicts \(t.errors)
              \(kinds.joined(separator: "\n  "))
            """)
        for f in failures.prefix(20) { XCTFail(f) }
        if failures.count > 20 { XCTFail("… and \(failures.count - 20) more") }
        XCTAssertEqual(t.models, count)
        XCTAssertGreaterThan(t.changing, count * 3, "most careless changes change the value")
        XCTAssertGreaterThan(t.sound, count * 2)
    }
}
