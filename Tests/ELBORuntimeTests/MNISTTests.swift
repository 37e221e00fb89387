import Foundation
import XCTest
@testable import ELBORuntime

final class MNISTTests: XCTestCase {
    private var bundled: URL { MNIST.bundledDirectory! }

    func testTestSplitLoadsWithCountsRangeAndLabels() throws {
        let test = try MNIST.load(split: .test)
        XCTAssertEqual(test.inputs.shape, [10_000, 784])
        XCTAssertEqual(test.labels.count, 10_000)
        XCTAssertEqual(test.inputs.data.min(), 0)
        XCTAssertEqual(test.inputs.data.max(), 1)
        // Well-known facts: the first test digit is a 7, the mean pixel is about 0.1325, and
        // every class is present (the rarest, 5, has 892 examples).
        XCTAssertEqual(test.labels[0], 7)
        assertClose(test.inputs.mean(), 0.1325, absolute: 0.001)
        let counts = (0..<10).map { c in test.labels.filter { $0 == c }.count }
        XCTAssertEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    func testLimitedTrainLoadReadsOnlyAPrefix() throws {
        let train = try MNIST.load(split: .train, limit: 100)
        XCTAssertEqual(train.inputs.shape, [100, 784])
        XCTAssertEqual(Array(train.labels[..<5]), [5, 0, 4, 1, 9])
    }

    func testDecompressedFilesMatchTheReadmeMD5s() throws {
        let readme = try String(contentsOf: bundled.appendingPathComponent("README.md"), encoding: .utf8)
        var checked = 0
        for line in readme.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, cells[0].hasSuffix(".gz") else { continue }
            let compressed = try Data(contentsOf: bundled.appendingPathComponent(cells[0]))
            let start = Date()
            let raw = try compressed.withUnsafeBytes { try Gzip.decompress($0) }
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(md5(raw), cells[1], cells[0])
            if cells[0] == "train-images-idx3-ubyte.gz" {
                XCTAssertEqual(raw.count, 47_040_016)
                XCTAssertLessThan(seconds, 2, "inflating 47 MB took \(seconds) s")
            }
            checked += 1
        }
        XCTAssertEqual(checked, 4)
    }

    func testRawFilesInAGivenDirectoryAreReadToo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in ["images-idx3", "labels-idx1"] {
            let gz = try Data(contentsOf: bundled.appendingPathComponent("t10k-\(kind)-ubyte.gz"))
            let raw = try gz.withUnsafeBytes { try Gzip.decompress($0) }
            try Data(raw).write(to: dir.appendingPathComponent("t10k-\(kind)-ubyte"))
        }
        let fromRaw = try MNIST.load(split: .test, limit: 50, from: dir)
        let fromGzip = try MNIST.load(split: .test, limit: 50)
        XCTAssertEqual(fromRaw.inputs, fromGzip.inputs)
        XCTAssertEqual(fromRaw.labels, fromGzip.labels)
    }

    // MARK: Errors, each naming the file

    private func writeIDX(_ magic: UInt32, _ dims: [Int], payload: Int, to url: URL) throws {
        var bytes = bigEndianBytes(magic)
        for d in dims { bytes += bigEndianBytes(UInt32(d)) }
        bytes += [UInt8](repeating: 7, count: payload)
        try Data(bytes).write(to: url)
    }

    func testMissingFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            guard case .missingFile(let path) = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("t10k-images-idx3-ubyte"))
        }
    }

    func testWrongMagicTruncationAndCountMismatch() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("t10k-images-idx3-ubyte")
        let labels = dir.appendingPathComponent("t10k-labels-idx1-ubyte")

        try writeIDX(MNIST.labelMagic, [3, 28, 28], payload: 3 * 784, to: images)
        try writeIDX(MNIST.labelMagic, [3], payload: 3, to: labels)
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError,
                           .wrongMagic(path: images.path, expected: MNIST.imageMagic, actual: MNIST.labelMagic))
        }

        let full: Int = 16 + 3 * 784
        try writeIDX(MNIST.imageMagic, [3, 28, 28], payload: full - 16 - 1, to: images)
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            let expected = DatasetError.truncated(path: images.path, expectedBytes: full, actualBytes: full - 1)
            XCTAssertEqual(error as? DatasetError, expected)
        }

        try writeIDX(MNIST.imageMagic, [3, 28, 28], payload: 3 * 784, to: images)
        try writeIDX(MNIST.labelMagic, [2], payload: 2, to: labels)
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .countMismatch(path: labels.path, expected: 3, actual: 2))
        }

        // Consistent files, but not the 10,000 a test split must have.
        try writeIDX(MNIST.labelMagic, [3], payload: 3, to: labels)
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            XCTAssertEqual(error as? DatasetError, .countMismatch(path: images.path, expected: 10_000, actual: 3))
        }
        XCTAssertEqual(try MNIST.load(split: .test, limit: 3, from: dir).inputs.shape, [3, 784])
    }

    func testCorruptGzipNamesTheFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in ["images-idx3", "labels-idx1"] {
            var gz = [UInt8](try Data(contentsOf: bundled.appendingPathComponent("t10k-\(kind)-ubyte.gz")))
            if kind == "labels-idx1" { gz[gz.count - 6] ^= 0x10 } // inside the stored CRC-32
            try Data(gz).write(to: dir.appendingPathComponent("t10k-\(kind)-ubyte.gz"))
        }
        XCTAssertThrowsError(try MNIST.load(split: .test, from: dir)) { error in
            guard case .badGzip(let path, .checksumMismatch) = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("t10k-labels-idx1-ubyte.gz"))
            XCTAssertTrue("\(error)".hasPrefix(path + ": error:"))
        }
    }
}
