import Foundation
import XCTest
import ELBORuntime
import GeneratedKernels

/// `elbo train` and `elbo sample` end to end, run as the built executable on a tiny subset.
///
/// They train the reference spec's kernel (`Specs/vae_bernoulli.elbo`) once `elbo generate` has
/// written VaeBernoulliLoss; until then a spec written here declares the fixture kernel's
/// objective and networks, so the same command-line path runs.
final class TrainingCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `elbo` executable that `swift test` built next to the test bundle.
    func executable() throws -> URL {
        let candidates = [Bundle(for: Self.self).bundleURL.deletingLastPathComponent().appendingPathComponent("elbo"),
                          Self.packageRoot.appendingPathComponent(".build/debug/elbo")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("no built elbo executable at \(candidates.map(\.path))")
        }
        return found
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The spec to train: the real one when its kernel exists, else one for the fixture kernel.
    func spec(in directory: URL) throws -> String {
        if KernelRegistry.kernel(named: "VaeBernoulliLoss") != nil {
            return Self.packageRoot.appendingPathComponent("Specs/vae_bernoulli.elbo").path
        }
        let fixture = """
            derivation fixture "the fixture kernel's model"
            variables
              x : observed binary[k]
              z : latent real[m]
            model p_theta(x, z) = p(x | z) p(z)
            guide q_phi(z | x)
            network enc: x -> mu, s
            network dec: z -> logits
            family q(z | x) = Normal(mu, exp(s))
            family p(z) = Normal(0, 1)
            family p(x | z) = Bernoulli(logits = logits)
            steps
                  log p(x)
              (1) ≥ E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
            objective bernoulli_v_a_e_fixture = -(1)
            """
        let url = directory.appendingPathComponent("fixture.elbo")
        try fixture.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func elbo(_ args: [String]) throws -> Output {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = args
        process.currentDirectoryURL = Self.packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read stderr on another thread so that neither pipe can fill up and block the child.
        let errData = ReadBuffer()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// What the reading thread hands back; `group.wait()` orders its write before the read.
    final class ReadBuffer: @unchecked Sendable {
        var data = Data()
    }

    /// Small and quick: 256 training examples, 16 hidden units, 4 latent dimensions.
    func trainArguments(_ spec: String, out: URL, epochs: Int) -> [String] {
        ["train", spec, "--epochs", "\(epochs)", "--batch", "32", "--limit", "256", "--hidden", "16", "--dim", "m=4",
         "--seed", "3", "--out", out.path, "--format", "json"]
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    func testTrainWritesCheckpointPicturesAndJSONLines() throws {
        let dir = try temporaryDirectory()
        let run = dir.appendingPathComponent("run")
        let result = try elbo(trainArguments(try spec(in: dir), out: run, epochs: 2))
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try jsonLines(result.stdout)
        XCTAssertEqual(lines.count, 2)
        for (i, line) in lines.enumerated() {
            XCTAssertEqual(Set(line.keys), ["epoch", "train_loss", "test_loss", "epoch_seconds", "train_seconds"])
            XCTAssertEqual(line["epoch"] as? Int, i + 1)
            // Training alone is part of the epoch, which also runs the test pass.
            let epochSeconds = try XCTUnwrap(line["epoch_seconds"] as? Double)
            let trainSeconds = try XCTUnwrap(line["train_seconds"] as? Double)
            XCTAssertGreaterThan(trainSeconds, 0)
            XCTAssertLessThan(trainSeconds, epochSeconds)
        }
        let test = lines.compactMap { $0["test_loss"] as? Double }
        XCTAssertEqual(test.count, 2)
        XCTAssertLessThan(test[1], test[0])
        for name in ["checkpoint.ckpt", "run.json", "samples.png", "reconstructions.png", "loss.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), name)
        }
        for name in ["samples.png", "reconstructions.png", "loss.png"] {
            let bytes = try Data(contentsOf: run.appendingPathComponent(name))
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(name) is a PNG")
        }
        XCTAssertFalse(result.stderr.contains("warning"), result.stderr)

        // A second run into the same directory must say how to continue, not overwrite it.
        let again = try elbo(trainArguments(try spec(in: dir), out: run, epochs: 2))
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)

        // `elbo sample` rebuilds the model from the directory.
        let png = dir.appendingPathComponent("s.png")
        let sampled = try elbo(["sample", run.path, "--n", "16", "--out", png.path, "--seed", "5"])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: png).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testResumeFromTheCommandLineIsBitForBit() throws {
        let dir = try temporaryDirectory()
        let spec = try spec(in: dir)
        let straight = try elbo(trainArguments(spec, out: dir.appendingPathComponent("a"), epochs: 2))
        XCTAssertEqual(straight.status, 0, straight.stderr)
        let b = dir.appendingPathComponent("b")
        let first = try elbo(trainArguments(spec, out: b, epochs: 1))
        XCTAssertEqual(first.status, 0, first.stderr)
        // Only the new epoch count: the other settings come from the saved run.
        let resumed = try elbo(["train", spec, "--out", b.path, "--resume", "--epochs", "2", "--format", "json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let expected = try jsonLines(straight.stdout)[1], got = try XCTUnwrap(jsonLines(resumed.stdout).first)
        XCTAssertEqual(got["epoch"] as? Int, 2)
        XCTAssertEqual(got["train_loss"] as? Double, expected["train_loss"] as? Double)
        XCTAssertEqual(got["test_loss"] as? Double, expected["test_loss"] as? Double)

        // The parameters agree bit for bit.
        let pa = try Checkpoint.load(from: dir.appendingPathComponent("a/checkpoint.ckpt"))
        let pb = try Checkpoint.load(from: b.appendingPathComponent("checkpoint.ckpt"))
        XCTAssertEqual(pa.tensors.map(\.name), pb.tensors.map(\.name))
        for (x, y) in zip(pa.tensors, pb.tensors) { XCTAssertEqual(x.tensor, y.tensor, x.name) }
    }

    func testUsageAndDataErrorsExitWithStatus2() throws {
        let dir = try temporaryDirectory()
        let spec = try spec(in: dir)
        for args in [["train"], ["train", spec, "--format", "xml"], ["train", spec, "--epochs", "many"],
                     ["train", spec, "--frobnicate"], ["train", spec, "--dim", "nope=3"], ["sample", dir.path]] {
            let r = try elbo(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("elbo "), r.stderr)
        }
        // A truncated data file: the runtime's message naming the file.
        let data = dir.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let bundled = try XCTUnwrap(MNIST.bundledDirectory)
        for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(at: bundled.appendingPathComponent(name), to: data.appendingPathComponent(name))
        }
        let images = try Data(contentsOf: bundled.appendingPathComponent("train-images-idx3-ubyte.gz"))
        let broken = data.appendingPathComponent("train-images-idx3-ubyte.gz")
        try images.prefix(1000).write(to: broken)
        let r = try elbo(trainArguments(spec, out: dir.appendingPathComponent("run"), epochs: 1) + ["--data", data.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(broken.path): error:"), r.stderr)
    }

    /// A file that does not parse is named on stdout as not checked (its errors go to stderr
    /// with file:line:column), next to the steps of the files that did parse; exit status 2.
    func testCheckNamesFilesThatDoNotParse() throws {
        let dir = try temporaryDirectory()
        let broken = dir.appendingPathComponent("broken.elbo")
        try "derivation d {\n".write(to: broken, atomically: true, encoding: .utf8)
        let good = Self.packageRoot.appendingPathComponent("Specs/vae_bernoulli.elbo")
        let r = try elbo(["check", broken.path, good.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(broken.path):1:"), r.stderr)
        XCTAssertTrue(r.stdout.contains("not checked (errors above): \(broken.path)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("vae_bernoulli.elbo: derivation"), r.stdout)
        XCTAssertFalse(r.stdout.contains("not checked (errors above): \(good.path)"), r.stdout)
    }
}
