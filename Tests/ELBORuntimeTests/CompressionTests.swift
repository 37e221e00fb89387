import XCTest
@testable import ELBORuntime

final class CompressionTests: XCTestCase {
    func testChecksumsMatchPublishedValues() {
        // The standard check values of CRC-32/ISO-HDLC and Adler-32.
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(CRC32.checksum(sampleText), sampleCRC32)
        XCTAssertEqual(Adler32.checksum(sampleText), sampleAdler32)
        // Long input exercises the 8-byte slices and Adler's periodic reduction alike.
        let long = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        var crc = CRC32()
        crc.update(long[..<50_001])
        crc.update(long[50_001...])
        XCTAssertEqual(crc.value, CRC32.checksum(long))
        var bytewise: UInt32 = 0xFFFF_FFFF
        for b in long { bytewise ^= UInt32(b); for _ in 0..<8 { bytewise = bytewise & 1 != 0 ? (bytewise >> 1) ^ 0xEDB8_8320 : bytewise >> 1 } }
        XCTAssertEqual(crc.value, ~bytewise)
        var a: UInt32 = 1, b: UInt32 = 0
        for x in long { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        XCTAssertEqual(Adler32.checksum(long), b << 16 | a)
    }

    func testInflatesZlibMadeFixedAndDynamicStreams() throws {
        XCTAssertEqual(try Inflate.decompress(sampleFixedDeflate), sampleText)
        XCTAssertEqual(try Inflate.decompress(sampleDynamicDeflate), sampleText)
    }

    func testGunzipsAFileWithANameField() throws {
        XCTAssertEqual(try Gzip.decompress(sampleGzip), sampleText)
        // Two concatenated members decode to the concatenation.
        XCTAssertEqual(try Gzip.decompress(sampleGzip + sampleGzip), sampleText + sampleText)
    }

    func testOwnEncoderRoundTripsStoredAndFixedBlocks() throws {
        var rng = RNG(seed: 4)
        let random = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let runs = (0..<100_000).map { UInt8(($0 / 300) % 3) }
        for input in [[], [42], sampleText, random, runs] {
            for mode in [Deflate.Mode.stored, .fixedHuffman] {
                let compressed = Deflate.compress(input, mode: mode)
                XCTAssertEqual(try Inflate.decompress(compressed), input, "\(mode), \(input.count) bytes")
                XCTAssertEqual(try Zlib.decompress(Zlib.compress(input, mode: mode)), input)
            }
        }
        // Runs compress by far; random bytes do not grow much in a fixed-Huffman block.
        XCTAssertLessThan(Deflate.compress(runs).count, runs.count / 40) // ≈ 2 matches per run of 300
        XCTAssertLessThan(Deflate.compress(random).count, random.count * 9 / 8 + 16)
        // More than 65535 bytes needs several stored blocks.
        XCTAssertGreaterThan(Deflate.compress(random, mode: .stored).count, random.count + 5)
    }

    func testOutputLimitStopsEarly() throws {
        let runs = (0..<100_000).map { UInt8(($0 / 300) % 7) }
        let result = try Deflate.compress(runs).withUnsafeBytes { try Inflate.decompress($0, outputLimit: 1000) }
        XCTAssertFalse(result.complete)
        XCTAssertGreaterThanOrEqual(result.bytes.count, 1000)
        XCTAssertLessThan(result.bytes.count, 1000 + 259)
        XCTAssertEqual(Array(result.bytes[..<1000]), Array(runs[..<1000]))
    }

    func testCorruptStreamsAreRejectedWithTheRightError() {
        // Truncation anywhere inside the data.
        for cut in [1, 10, sampleDynamicDeflate.count / 2, sampleDynamicDeflate.count - 1] {
            XCTAssertThrowsError(try Inflate.decompress(Array(sampleDynamicDeflate[..<cut])), "cut at \(cut)")
        }
        XCTAssertThrowsError(try Gzip.decompress(Array(sampleGzip.dropLast(3)))) { error in
            XCTAssertEqual(error as? CompressionError, .truncated)
        }
        // Block type 3 is reserved.
        XCTAssertThrowsError(try Inflate.decompress([0x07])) { error in
            XCTAssertEqual(error as? CompressionError, .invalidBlockType)
        }
        // A stored block whose NLEN is not ~LEN.
        XCTAssertThrowsError(try Inflate.decompress([0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5])) { error in
            XCTAssertEqual(error as? CompressionError, .storedLengthMismatch)
        }
        // A back-reference before the start: fixed block, length 3 (257), distance 1, no output yet.
        var writer = BitWriter()
        writer.write(1, bits: 1)
        writer.write(1, bits: 2)
        writer.writeLength(3)
        writer.writeDistance(1)
        writer.writeLiteral(256)
        XCTAssertThrowsError(try Inflate.decompress(writer.finish())) { error in
            XCTAssertEqual(error as? CompressionError, .distanceTooFar(distance: 1, available: 0))
        }
        // A flipped bit in the CRC, the size, or the magic.
        var badCRC = sampleGzip
        badCRC[badCRC.count - 8] ^= 1
        XCTAssertThrowsError(try Gzip.decompress(badCRC)) { error in
            guard case .checksumMismatch = error as? CompressionError else { return XCTFail("\(error)") }
        }
        var badSize = sampleGzip
        badSize[badSize.count - 4] ^= 1
        XCTAssertThrowsError(try Gzip.decompress(badSize)) { error in
            guard case .sizeMismatch = error as? CompressionError else { return XCTFail("\(error)") }
        }
        var badMagic = sampleGzip
        badMagic[1] = 0
        XCTAssertThrowsError(try Gzip.decompress(badMagic)) { error in
            guard case .badHeader = error as? CompressionError else { return XCTFail("\(error)") }
        }
        var badAdler = Zlib.compress(sampleText)
        badAdler[badAdler.count - 1] ^= 0x80
        XCTAssertThrowsError(try Zlib.decompress(badAdler)) { error in
            guard case .checksumMismatch = error as? CompressionError else { return XCTFail("\(error)") }
        }
    }

    func testGzipHeaderCRCFieldIsChecked() throws {
        // Rebuild the sample with FHCRC set and a header CRC-16 computed over the new header.
        let nameEnd = sampleGzip[10...].firstIndex(of: 0)! + 1
        var header = Array(sampleGzip[..<nameEnd])
        header[3] |= 0x02
        let crc = CRC32.checksum(header) & 0xFFFF
        let good = header + [UInt8(crc & 0xFF), UInt8(crc >> 8)] + sampleGzip[nameEnd...]
        XCTAssertEqual(try Gzip.decompress(good), sampleText)
        var bad = good
        bad[nameEnd] ^= 0xFF
        XCTAssertThrowsError(try Gzip.decompress(bad))
    }
}
