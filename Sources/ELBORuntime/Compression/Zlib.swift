// The zlib container (RFC 1950): a two-byte header, DEFLATE data, and an Adler-32 trailer.
// PNG's IDAT chunks hold exactly this.

/// A zlib encoder and decoder.
public enum Zlib {
    /// Wraps `Deflate.compress(input, mode:)` in a zlib header and Adler-32 trailer.
    public static func compress(_ input: [UInt8], mode: Deflate.Mode = .fixedHuffman) -> [UInt8] {
        // CMF 0x78: deflate with a 32 KB window; FLG 0x01 makes CMF·256+FLG a multiple of 31.
        var out: [UInt8] = [0x78, 0x01]
        out += Deflate.compress(input, mode: mode)
        let adler = Adler32.checksum(input)
        out += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    /// Decodes a zlib stream, checking the header and the Adler-32 of the output.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { bytes in
            guard bytes.count >= 2 else { throw CompressionError.truncated }
            let cmf = Int(bytes[0]), flg = Int(bytes[1])
            guard cmf & 0x0F == 8, cmf >> 4 <= 7 else {
                throw CompressionError.badHeader("zlib method/window byte \(cmf)")
            }
            guard (cmf << 8 | flg) % 31 == 0 else { throw CompressionError.badHeader("zlib header check bits") }
            guard flg & 0x20 == 0 else { throw CompressionError.badHeader("zlib preset dictionary not supported") }
            let result = try Inflate.decompress(UnsafeRawBufferPointer(rebasing: bytes[2...]))
            let end = 2 + result.consumed
            guard end + 4 <= bytes.count else { throw CompressionError.truncated }
            let stored = UInt32(bytes[end]) << 24 | UInt32(bytes[end + 1]) << 16
                | UInt32(bytes[end + 2]) << 8 | UInt32(bytes[end + 3])
            let actual = Adler32.checksum(result.bytes)
            guard stored == actual else {
                throw CompressionError.checksumMismatch(kind: "zlib Adler-32", expected: stored, actual: actual)
            }
            return result.bytes
        }
    }
}
