import Foundation
import XCTest
@testable import ELBORuntime

/// A minimal PNG reader for the tests: checks the signature and every chunk CRC, parses IHDR,
/// inflates the IDAT data with the runtime's own decoder and undoes filter type 0.
private func decodePNG(_ file: [UInt8], file testFile: StaticString = #filePath, line: UInt = #line)
    throws -> (width: Int, height: Int, colorType: UInt8, pixels: [UInt8], chunks: [String]) {
    XCTAssertEqual(Array(file[..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], file: testFile, line: line)
    var position = 8
    var chunks: [String] = []
    var header: [UInt8] = [], idat: [UInt8] = []
    while position < file.count {
        let length = Int(bigEndian32(file, position))
        let type = Array(file[(position + 4)..<(position + 8)])
        let data = Array(file[(position + 8)..<(position + 8 + length)])
        let stored = bigEndian32(file, position + 8 + length)
        XCTAssertEqual(stored, CRC32.checksum(type + data), "CRC of chunk \(String(decoding: type, as: UTF8.self))",
                       file: testFile, line: line)
        let name = String(decoding: type, as: UTF8.self)
        chunks.append(name)
        if name == "IHDR" { header = data }
        if name == "IDAT" { idat += data }
        position += 12 + length
    }
    XCTAssertEqual(position, file.count, file: testFile, line: line)
    let width = Int(bigEndian32(header, 0)), height = Int(bigEndian32(header, 4))
    XCTAssertEqual(header[8], 8, "bit depth", file: testFile, line: line)
    let channels = header[9] == 2 ? 3 : 1
    let scanlines = try Zlib.decompress(idat)
    XCTAssertEqual(scanlines.count, height * (width * channels + 1), file: testFile, line: line)
    var pixels: [UInt8] = []
    for y in 0..<height {
        let start = y * (width * channels + 1)
        XCTAssertEqual(scanlines[start], 0, "filter type", file: testFile, line: line)
        pixels += scanlines[(start + 1)...(start + width * channels)]
    }
    return (width, height, header[9], pixels, chunks)
}

final class PNGTests: XCTestCase {
    func testGreyAndRGBImagesRoundTripThroughOurDecoder() throws {
        var rng = RNG(seed: 8)
        let grey = PNGImage(width: 13, height: 7, colorType: .grayscale,
                            pixels: (0..<91).map { _ in UInt8(rng.uniformInt(below: 256)) })
        let rgb = PNGImage(width: 5, height: 4, colorType: .rgb, pixels: (0..<60).map { UInt8($0 * 4) })
        for image in [grey, rgb] {
            for mode in [Deflate.Mode.stored, .fixedHuffman] {
                let decoded = try decodePNG(image.encoded(mode: mode))
                XCTAssertEqual(decoded.chunks, ["IHDR", "IDAT", "IEND"])
                XCTAssertEqual(decoded.width, image.width)
                XCTAssertEqual(decoded.height, image.height)
                XCTAssertEqual(decoded.colorType, image.colorType.rawValue)
                XCTAssertEqual(decoded.pixels, image.pixels)
            }
        }
    }

    func testImageGridPlacesEachImageWithPadding() throws {
        // Three 2×3 images with constant values 0, 0.5 and 1 in a grid of two columns.
        let images = Tensor(shape: [3, 6], data: [Float](repeating: 0, count: 6)
                            + [Float](repeating: 0.5, count: 6) + [Float](repeating: 1, count: 6))
        let grid = ImageGrid.render(images, height: 2, width: 3, columns: 2, padding: 1, background: 9)
        XCTAssertEqual(grid.width, 2 * (3 + 1) + 1)
        XCTAssertEqual(grid.height, 2 * (2 + 1) + 1)
        func pixel(_ x: Int, _ y: Int) -> UInt8 { grid.pixels[y * grid.width + x] }
        XCTAssertEqual(pixel(0, 0), 9)
        XCTAssertEqual(pixel(1, 1), 0)
        XCTAssertEqual(pixel(5, 2), 128)  // 0.5·255 rounds to 128
        XCTAssertEqual(pixel(1, 4), 255)
        XCTAssertEqual(pixel(5, 4), 9)    // the empty fourth cell stays background
        let decoded = try decodePNG(grid.encoded())
        XCTAssertEqual(decoded.pixels, grid.pixels)
    }

    func testLossCurveDrawsEverySeriesInItsColourAndAxes() throws {
        let plot = LossCurvePlot(series: [
            .init(name: "train", values: [200, 150, 120, 110, 105]),
            .init(name: "test", values: [210, 160, .nan, 118, 112], color: RGB(200, 0, 200)),
        ])
        let image = plot.render()
        XCTAssertEqual(image.width, 640)
        XCTAssertEqual(image.height, 400)
        func count(_ c: RGB) -> Int {
            stride(from: 0, to: image.pixels.count, by: 3).filter {
                image.pixels[$0] == c.r && image.pixels[$0 + 1] == c.g && image.pixels[$0 + 2] == c.b
            }.count
        }
        XCTAssertGreaterThan(count(RGB.palette[0]), 500, "train line in the first palette colour")
        XCTAssertGreaterThan(count(RGB(200, 0, 200)), 300, "test line in its own colour")
        XCTAssertGreaterThan(count(RGB(40, 40, 40)), 600, "axes, ticks and labels")
        // The left axis is a vertical line of ink at x = 72.
        let column = (20..<350).map { image.pixels[($0 * image.width + 72) * 3] }
        XCTAssertTrue(column.allSatisfy { $0 == 40 })
        let decoded = try decodePNG(image.encoded())
        XCTAssertEqual(decoded.pixels, image.pixels)
        XCTAssertLessThan(image.encoded().count, image.pixels.count / 10, "a plot compresses well")
    }

    func testTicksAndLabelsAreRound() {
        XCTAssertEqual(niceTicks(0.13, 0.87, target: 5).map(tickLabel), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        XCTAssertEqual(niceTicks(100, 210, target: 6), [100, 120, 140, 160, 180, 200, 220])
        XCTAssertEqual(tickLabel(120), "120")
        XCTAssertEqual(tickLabel(0.25), "0.25")
        XCTAssertEqual(tickLabel(1.5e6), "1.5e+06")
    }

    func testWriteCreatesAFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("grid.png")
        try ImageGrid.render(Tensor(shape: [1, 4], data: [0, 1, 1, 0]), height: 2, width: 2).write(to: url)
        let decoded = try decodePNG([UInt8](try Data(contentsOf: url)))
        XCTAssertEqual(decoded.width, 6)
    }
}
