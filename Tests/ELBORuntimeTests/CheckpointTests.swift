import Foundation
import XCTest
@testable import ELBORuntime

private struct Meta: Codable, Equatable {
    var epoch: Int
    var losses: [Double]
    var rng: RNG
}

final class CheckpointTests: XCTestCase {
    private func sample() throws -> (Checkpoint, Meta) {
        var rng = RNG(seed: 12)
        _ = rng.normalDouble()
        let meta = Meta(epoch: 3, losses: [0.1, 1.0 / 3.0, 123.456789012345, .leastNonzeroMagnitude], rng: rng)
        var checkpoint = try Checkpoint(metadata: meta)
        checkpoint.append("w", Tensor(shape: [2, 3], data: [1, -0.0, .pi, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-30]))
        checkpoint.append("b", Tensor(shape: [3], data: randomFloats(3, &rng)))
        checkpoint.append("scalar", Tensor(shape: [], data: [7]))
        return (checkpoint, meta)
    }

    func testSaveLoadRoundTripIsBitExact() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("run.ckpt")
        let (checkpoint, meta) = try sample()
        try checkpoint.save(to: url)
        let loaded = try Checkpoint.load(from: url)
        XCTAssertEqual(loaded.tensors.map { $0.name }, ["w", "b", "scalar"])
        for (a, b) in zip(checkpoint.tensors, loaded.tensors) {
            XCTAssertEqual(a.tensor.shape, b.tensor.shape)
            XCTAssertEqual(a.tensor.data.map { $0.bitPattern }, b.tensor.data.map { $0.bitPattern }, a.name)
        }
        XCTAssertEqual(try loaded.decodeMetadata(Meta.self), meta)
        // Saving again replaces the file and leaves no temporary file behind.
        try checkpoint.save(to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["run.ckpt"])
        XCTAssertThrowsError(try loaded.tensor("w", shape: [3, 2])) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .shapeMismatch(path: "<checkpoint>", name: "w", expected: [3, 2], actual: [2, 3]))
        }
        XCTAssertThrowsError(try loaded.tensor("nope", shape: [1]))
    }

    func testCorruptFilesAreRejectedWithClearErrors() throws {
        let (checkpoint, _) = try sample()
        let good = checkpoint.serialized()
        XCTAssertNoThrow(try Checkpoint.parse(good, path: "x"))

        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        XCTAssertThrowsError(try Checkpoint.parse(badMagic, path: "x")) { error in
            XCTAssertEqual(error as? CheckpointError, .badMagic(path: "x"))
        }
        var future = good
        future[8] = 9
        XCTAssertThrowsError(try Checkpoint.parse(future, path: "x")) { error in
            XCTAssertEqual(error as? CheckpointError, .unsupportedVersion(path: "x", found: 9, supported: 1))
        }
        var flipped = good
        flipped[good.count / 2] ^= 1
        XCTAssertThrowsError(try Checkpoint.parse(flipped, path: "x")) { error in
            guard case .checksumMismatch = error as? CheckpointError else { return XCTFail("\(error)") }
        }
        // Truncation at any point is caught (by the CRC or the length checks), never a crash.
        for cut in stride(from: 0, to: good.count, by: 7) {
            XCTAssertThrowsError(try Checkpoint.parse(Array(good[..<cut]), path: "x"), "cut at \(cut)")
        }
        XCTAssertThrowsError(try Checkpoint.load(from: URL(fileURLWithPath: "/nonexistent/run.ckpt"))) { error in
            XCTAssertEqual(error as? CheckpointError, .missingFile(path: "/nonexistent/run.ckpt"))
        }
        let garbage = Checkpoint(metadataBytes: Array("not json".utf8))
        XCTAssertThrowsError(try garbage.decodeMetadata(Meta.self, path: "y")) { error in
            guard case .corruptMetadata(path: "y", _) = error as? CheckpointError else { return XCTFail("\(error)") }
        }
    }
}
