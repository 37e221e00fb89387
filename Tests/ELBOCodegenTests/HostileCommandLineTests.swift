import Foundation
import XCTest

/// Command lines and run directories that once crashed `elbo` or did something other than what
/// was asked (issue 13), run as the built executable.
final class HostileCommandLineTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let spec = packageRoot.appendingPathComponent("Specs/vae_bernoulli.elbo").path

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    func elbo(_ args: [String]) throws -> Output {
        let candidates = [Bundle(for: Self.self).bundleURL.deletingLastPathComponent().appendingPathComponent("elbo"),
                          Self.packageRoot.appendingPathComponent(".build/debug/elbo")]
        guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("no built elbo executable")
        }
        let process = Process()
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = Self.packageRoot
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A tiny training run; `extra` pairs `--name value` replace the defaults' values.
    func train(_ out: URL, epochs: Int, extra: [String] = []) -> [String] {
        var args = ["train", spec, "--epochs", "\(epochs)", "--batch", "32", "--limit", "64", "--hidden", "8", "--dim", "m=2",
                    "--seed", "3", "--out", out.path, "--format", "json"]
        for k in stride(from: 0, to: extra.count - 1, by: 2) {
            if let at = args.firstIndex(of: extra[k]) { args[at + 1] = extra[k + 1] } else { args += [extra[k], extra[k + 1]] }
        }
        return args
    }

    func testOutOfRangeSettingsAreRefusedWithTheLimit() throws {
        let dir = try temporaryDirectory()
        let cases: [([String], String)] = [
            (["--hidden", "100000000"], "outside 1…4096"),
            (["--lr", "1e-320"], "not a positive number Float can hold"),
            (["--lr", "1e39"], "not a positive number Float can hold"),
            (["--limit", "100000"], "outside 1…60000"),
            (["--dim", "m=100000000"], "outside 1…4096"),
            (["--hidden", "4096,4096,4096,4096,4096,4096,4096,4096,4096,4096"], "parameters"),
        ]
        for (extra, message) in cases {
            let r = try elbo(train(dir.appendingPathComponent("run"), epochs: 1, extra: extra))
            XCTAssertEqual(r.status, 2, "\(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
    }

    func testBadOutputPathsAndHiddenListsGiveClearMessages() throws {
        let dir = try temporaryDirectory()
        let run = dir.appendingPathComponent("run")
        let cases: [([String], String)] = [
            (train(URL(fileURLWithPath: "/x"), epochs: 1, extra: ["--out", ""]), "--out needs a directory name, got ''"),
            (train(URL(fileURLWithPath: "/x"), epochs: 1, extra: ["--out", "/dev/null"]), "/dev/null: error: exists and is not a directory"),
            (train(run, epochs: 1, extra: ["--hidden", "400,,200"]), "--hidden needs positive widths such as 400 or 512,256, got '400,,200'"),
            (train(run, epochs: 1, extra: ["--hidden", ",8"]), "got ',8'"),
            (["sample", dir.path, "--out", ""], "--out needs a file name, got ''"),
            (["sample", dir.path, "--out", "/dev/null"], "/dev/null: error: not a regular file"),
            (["sample", dir.path, "--out", dir.appendingPathComponent("no/such/x.png").path], "does not exist"),
            (["sample", dir.path, "--out", dir.path], "is a directory"),
            (["check", spec, "--out", dir.appendingPathComponent("no/r.txt").path], "does not exist"),
        ]
        for (args, message) in cases {
            let r = try elbo(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "nothing may be trained")
    }

    func testResumeWithoutEpochsKeepsTheSavedTargetAndSampleRedrawsTheGrid() throws {
        let dir = try temporaryDirectory()
        let run = dir.appendingPathComponent("run")
        let first = try elbo(train(run, epochs: 1))
        XCTAssertEqual(first.status, 0, first.stderr)
        // The saved target is 1 epoch: resuming without --epochs has nothing left to do.
        let resumed = try elbo(["train", spec, "--out", run.path, "--resume", "--format", "json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, "", "no epoch may run")
        XCTAssertTrue(resumed.stderr.contains("already trained for 1 epoch"), resumed.stderr)

        // The run's seed and 64 samples: samples.png again, byte for byte.
        let png = dir.appendingPathComponent("again.png")
        for seed in [[], ["--seed", "3"]] {
            let s = try elbo(["sample", run.path, "--out", png.path] + seed)
            XCTAssertEqual(s.status, 0, s.stderr)
            XCTAssertEqual(try Data(contentsOf: png), try Data(contentsOf: run.appendingPathComponent("samples.png")), "\(seed)")
        }
        let other = try elbo(["sample", run.path, "--out", png.path, "--seed", "4"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertNotEqual(try Data(contentsOf: png), try Data(contentsOf: run.appendingPathComponent("samples.png")))

        // A stale temporary file of a killed save is removed when training starts again.
        let stale = run.appendingPathComponent(".checkpoint.ckpt.tmp-999999999")
        try Data([0]).write(to: stale)
        let more = try elbo(["train", spec, "--out", run.path, "--resume", "--epochs", "2", "--format", "json"])
        XCTAssertEqual(more.status, 0, more.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path))
    }

    func testHandEditedRunJSONIsRefusedByResumeAndSample() throws {
        let dir = try temporaryDirectory()
        let run = dir.appendingPathComponent("run")
        let first = try elbo(train(run, epochs: 1))
        XCTAssertEqual(first.status, 0, first.stderr)
        let metadata = run.appendingPathComponent("run.json")
        let original = try String(contentsOf: metadata, encoding: .utf8)
        let edits: [(String, String, String)] = [
            ("\"batch\" : 32", "\"batch\" : 0", "batch 0 is outside"),
            ("\"m\" : 2", "\"m\" : 0", "dimension m=0"),
            ("\"m\" : 2", "\"m\" : -4", "dimension m=-4"),
            ("\"k\" : 784", "\"k\" : 700", "do not fit kernel"),
            ("\"epochs\" : 1", "\"epochs\" : -1", "epochs -1"),
        ]
        for (from, to, message) in edits {
            XCTAssertTrue(original.contains(from), "run.json has no \(from): \(original)")
            try original.replacingOccurrences(of: from, with: to).write(to: metadata, atomically: true, encoding: .utf8)
            for args in [["train", spec, "--out", run.path, "--resume", "--epochs", "2"],
                         ["sample", run.path, "--out", dir.appendingPathComponent("s.png").path]] {
                let r = try elbo(args)
                XCTAssertEqual(r.status, 2, "\(to) \(args[0]): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("\(metadata.path): error:") && r.stderr.contains(message), "\(to) \(args[0]): \(r.stderr)")
            }
        }
        // Hidden widths as written by hand: negative.
        let hidden = original.range(of: #""hidden" : \[[^\]]*\]"#, options: .regularExpression)!
        try original.replacingCharacters(in: hidden, with: "\"hidden\" : [-3]").write(to: metadata, atomically: true, encoding: .utf8)
        let r = try elbo(["sample", run.path, "--out", dir.appendingPathComponent("s.png").path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("hidden layer width -3"), r.stderr)
    }

    func testKernelEvalRejectsMalformedJSON() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("e.json")
        let ok = #"{"dims":{"k":2,"m":1},"inputs":{"x":[[1,0]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}"#
        try ok.write(to: file, atomically: true, encoding: .utf8)
        let good = try elbo(["kernel", "VaeBernoulliLoss", "--eval", file.path])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.contains("\"loss\":1.38629436"), good.stdout)
        let cases: [(String, String)] = [
            (#"{"dims":{"k":2,"m":1},"inputs":{"x":[],"mu":[],"s":[],"f":[]}}"#, "the batch is empty"),
            (#"{"dims":{"k":2,"m":1},"inputs":{"x":[[1,"a",0]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}"#, "inputs.x[0][1] must be a number, found the string"),
            (#"{"dims":{"k":2,"m":1},"inputs":{"x":[[1,true]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}"#, "found the boolean true"),
            (#"{"dims":{"k":2.7,"m":1}}"#, "dims.k must be a whole number"),
            (#"{"dims":{"k":true,"m":1}}"#, "dims.k must be a whole number"),
            (#"{"dims":{"k":1e12,"m":1}}"#, "dims.k must be a whole number"),
            (#"{"dims":{"k":2,"m":1},"inputs":{"x":[[1,0]],"mu":[[0]],"s":[[0]],"f":[[0,0],[0,0]]}}"#, "inputs.f has 2 examples"),
            ("[1, 2]", "not a JSON object"),
            ("{", "not valid JSON"),
        ]
        for (text, message) in cases {
            try text.write(to: file, atomically: true, encoding: .utf8)
            let r = try elbo(["kernel", "VaeBernoulliLoss", "--eval", file.path])
            XCTAssertEqual(r.status, 2, "\(text): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(file.path): error: ") && r.stderr.contains(message), "\(text): \(r.stderr)")
        }
        // Inputs the document leaves out are given to the kernel as zeros: 40 examples of a
        // label with 2^20 classes (a 1 KB document) would be 42 million of them.
        let row = "[" + Array(repeating: "[0]", count: 40).joined(separator: ",") + "]"
        let inputs = ["x", "mu", "s", "mu_p", "s_p", "f"].map { "\"\($0)\":\(row)" }.joined(separator: ",")
        try #"{"dims":{"C":1048576,"k":1,"m":1},"inputs":{"#.appending(inputs + "}}").write(to: file, atomically: true, encoding: .utf8)
        let huge = try elbo(["kernel", "CvaeLoss", "--eval", file.path])
        XCTAssertEqual(huge.status, 2, huge.stderr)
        XCTAssertTrue(huge.stderr.contains("would hold more than 33554432 values (inputs.c alone has 41943040)"), huge.stderr)
    }

    func testASpecNestedTooDeeplyAndAMissingSpecExitWithStatus2() throws {
        let dir = try temporaryDirectory()
        let deep = dir.appendingPathComponent("deep.elbo")
        let nested = String(repeating: "(", count: 5000) + "log p(x)" + String(repeating: ")", count: 5000)
        try """
            derivation d "D"
            variables
              x : observed real[k]
              z : latent real[m]
            model p(x, z) = p(x | z) p(z)
            guide q(z | x) = q(z | x)
            steps
              log p(x)
              (1) = \(nested)
            """.write(to: deep, atomically: true, encoding: .utf8)
        let r = try elbo(["check", deep.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(deep.path):9:") && r.stderr.contains("at most 100 levels"), r.stderr)
        let missing = try elbo(["check", dir.appendingPathComponent("nope.elbo").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nope.elbo: error: no such file"), missing.stderr)
        let trainMissing = try elbo(["train", dir.appendingPathComponent("nope.elbo").path])
        XCTAssertEqual(trainMissing.status, 2)
        XCTAssertTrue(trainMissing.stderr.contains("nope.elbo: error: no such file"), trainMissing.stderr)
    }
}
