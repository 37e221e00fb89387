import Foundation
import XCTest
@testable import ELBORuntime

/// Data files and checkpoints that once trapped (issue 13): each must give an error naming the
/// file and what is wrong.
final class HostileFileTests: XCTestCase {
    // MARK: IDX

    private func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    func testIDXExtentsThatOverflowAreAHeaderError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t10k-images-idx3-ubyte")
        try Data(be32(MNIST.imageMagic) + be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF) + [1, 2, 3]).write(to: url)
        for limit in [nil, 5] as [Int?] {
            XCTAssertThrowsError(try IDXFile(contentsOf: url, expectedMagic: MNIST.imageMagic, limit: limit)) { error in
                guard case .badHeader(let path, let reason) = error as? DatasetError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, url.path)
                XCTAssertTrue(reason.contains("\(IDXFile.maximumPayload)"), reason)
            }
        }
    }

    func testGzippedIDXWithHugeExtentsIsAnErrorToo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Stored (uncompressed) deflate block inside a gzip member, with a correct CRC and size.
        let raw = be32(MNIST.imageMagic) + be32(3) + be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF)
        var gz: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 1, UInt8(raw.count), 0, ~UInt8(raw.count), 0xFF]
        gz += raw
        let crc = CRC32.checksum(raw)
        gz += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24), UInt8(raw.count), 0, 0, 0]
        let url = dir.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        try Data(gz).write(to: url)
        XCTAssertThrowsError(try IDXFile(contentsOf: url, expectedMagic: MNIST.imageMagic, limit: 2)) { error in
            XCTAssertTrue(error is DatasetError, "\(error)")
        }
    }

    func testLabelsOutsideTheTenClassesAreRejectedAtLoad() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(be32(MNIST.imageMagic) + be32(3) + be32(28) + be32(28) + [UInt8](repeating: 0, count: 3 * 784))
            .write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        let labels = dir.appendingPathComponent("t10k-labels-idx1-ubyte")
        try Data(be32(MNIST.labelMagic) + be32(3) + [4, 12, 9]).write(to: labels)
        XCTAssertThrowsError(try MNIST.load(split: .test, limit: 3, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .badLabel(path: labels.path, item: 1, label: 12, classes: 10))
            XCTAssertEqual("\(error)", "\(labels.path): error: item 1 has label 12; the labels must be 0…9")
        }
    }

    // MARK: Checkpoints

    /// A checkpoint file with one tensor whose header says `rank` and `extents`, followed by
    /// `payload` bytes, and a correct CRC.
    private func checkpointBytes(metadataLength: UInt64 = 2, rank: UInt32 = 1, extents: [UInt64], payload: Int) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        var out = Array("ELBOCKPT".utf8) + le(Checkpoint.version) + le(UInt32(1)) + le(metadataLength) + Array("{}".utf8)
        out += le(UInt32(1)) + Array("w".utf8) + le(rank)
        for e in extents { out += le(e) }
        out += [UInt8](repeating: 0, count: payload)
        return out + le(CRC32.checksum(out))
    }

    func testAWellFormedHandMadeCheckpointParses() throws {
        let c = try Checkpoint.parse(checkpointBytes(extents: [3], payload: 12), path: "c.ckpt")
        XCTAssertEqual(c["w"]?.shape, [3])
    }

    func testHugeLengthsAndShapesWithAValidCRCAreErrors() {
        let cases: [[UInt8]] = [
            checkpointBytes(metadataLength: UInt64.max, extents: [3], payload: 12),
            checkpointBytes(metadataLength: 1 << 40, extents: [3], payload: 12),
            checkpointBytes(extents: [UInt64.max], payload: 12),
            checkpointBytes(extents: [1 << 62], payload: 12),
            checkpointBytes(rank: 2, extents: [1 << 32, 1 << 32], payload: 12),  // product overflows
            checkpointBytes(rank: 3, extents: [1 << 21, 1 << 21, 1 << 21], payload: 12),
            checkpointBytes(rank: 2, extents: [4, 0], payload: 12),  // zero elements, then trailing bytes
        ]
        for (k, bytes) in cases.enumerated() {
            XCTAssertThrowsError(try Checkpoint.parse(bytes, path: "c.ckpt"), "case \(k)") { error in
                guard case .truncated(let path, _) = error as? CheckpointError else { return XCTFail("case \(k): \(error)") }
                XCTAssertEqual(path, "c.ckpt")
            }
        }
    }

    private func state(_ edit: (inout TrainingState) -> Void) -> TrainingState {
        var s = TrainingState(model: "m", parameterNames: ["w"], epoch: 1, step: 10, batchInEpoch: 2, datasetSize: 100,
                              rng: RNG(seed: 1), epochStartRNG: RNG(seed: 1), epochLossSum: 3, epochExamples: 16,
                              epochSeconds: 0.5, history: [EpochRecord(epoch: 1, trainLoss: 1, testLoss: nil, seconds: 1)],
                              optimizer: Adam(), optimizerSteps: [10], seed: 1, batchSize: 8)
        edit(&s)
        return s
    }

    func testImpossibleTrainingStatesAreRejected() throws {
        XCTAssertNoThrow(try state { _ in }.validate(path: "c.ckpt"))
        let bad: [(String, (inout TrainingState) -> Void)] = [
            ("epoch -1 is negative", { $0.epoch = -1 }),
            ("stopped at batch 1000000", { $0.batchInEpoch = 1_000_000 }),
            ("batch -3", { $0.batchInEpoch = -3 }),
            ("batch size 0", { $0.batchSize = 0 }),
            ("2 epoch records for 1", { $0.history.append(EpochRecord(epoch: 2, trainLoss: 1, testLoss: nil, seconds: 1)) }),
            ("17 examples seen", { $0.epochExamples = 17 }),
            ("step -5", { $0.step = -5 }),
            ("optimiser step count 11", { $0.optimizerSteps = [11] }),
            ("not a finite count", { $0.epochLossSum = .nan }),
        ]
        for (message, edit) in bad {
            XCTAssertThrowsError(try state(edit).validate(path: "c.ckpt"), message) { error in
                guard case .corruptMetadata(_, let reason) = error as? CheckpointError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(message), "\(reason) lacks \(message)")
            }
        }
    }

    func testStaleTemporaryFilesOfDeadProcessesAreRemoved() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("checkpoint.ckpt")
        // A child that has exited stands for the killed save: its pid is no longer running.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = dir.appendingPathComponent(Checkpoint.temporaryName(of: url, pid: child.processIdentifier))
        let alive = dir.appendingPathComponent(Checkpoint.temporaryName(of: url, pid: 1))  // init is always running
        let other = dir.appendingPathComponent(".other.ckpt.tmp-\(child.processIdentifier)")
        for f in [dead, alive, other] { try Data([1, 2, 3]).write(to: f) }
        XCTAssertEqual(Checkpoint.removeStaleTemporaries(of: url), [dead.path])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: alive.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: other.path))
    }
}
