// The gzip container (RFC 1952) around DEFLATE: header, stream, CRC-32 and size trailer.

/// A gzip decoder.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a gzip file (every member, if several are concatenated), checking each
    /// member's CRC-32 and ISIZE.
    ///
    /// With `outputLimit`, decoding stops after at least that many bytes of the first member,
    /// and the checksums, which need the whole member, are not checked.
    public static func decompress(_ input: UnsafeRawBufferPointer, outputLimit: Int? = nil) throws -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        repeat {
            let member = UnsafeRawBufferPointer(rebasing: input[offset...])
            let headerLength = try parseHeader(member)
            // ISIZE (the last four bytes of a single-member file) sizes the output exactly.
            let hint = offset == 0 && input.count >= 4 ? Int(readLE32(input, input.count - 4)) : 0
            let body = UnsafeRawBufferPointer(rebasing: member[headerLength...])
            let result = try Inflate.decompress(body, sizeHint: hint, outputLimit: outputLimit)
            if !result.complete { return output + result.bytes }
            let trailer = headerLength + result.consumed
            guard trailer + 8 <= member.count else { throw CompressionError.truncated }
            let storedCRC = readLE32(member, trailer)
            let storedSize = readLE32(member, trailer + 4)
            let actualCRC = result.bytes.withUnsafeBytes { bytes -> UInt32 in
                var crc = CRC32()
                crc.update(bytes)
                return crc.value
            }
            guard storedCRC == actualCRC else {
                throw CompressionError.checksumMismatch(kind: "gzip CRC-32", expected: storedCRC, actual: actualCRC)
            }
            let actualSize = UInt32(truncatingIfNeeded: result.bytes.count)
            guard storedSize == actualSize else {
                throw CompressionError.sizeMismatch(expected: storedSize, actual: actualSize)
            }
            output = output.isEmpty ? result.bytes : output + result.bytes
            offset += trailer + 8
            // Anything after the last member must itself be a gzip member.
        } while offset < input.count && hasMagic(UnsafeRawBufferPointer(rebasing: input[offset...]))
        guard offset == input.count else {
            throw CompressionError.badHeader("\(input.count - offset) trailing bytes after the gzip data")
        }
        return output
    }

    /// Decompresses a gzip file held in an array.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0) }
    }

    /// Validates the member header and returns its length.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard bytes.count >= 10 else { throw CompressionError.truncated }
        guard hasMagic(bytes) else { throw CompressionError.badHeader("missing gzip magic 1f 8b") }
        guard bytes[2] == 8 else { throw CompressionError.badHeader("compression method \(bytes[2]), not deflate") }
        let flags = bytes[3]
        guard flags & 0xE0 == 0 else { throw CompressionError.badHeader("reserved flag bits set") }
        var position = 10
        if flags & 0x04 != 0 { // FEXTRA
            guard position + 2 <= bytes.count else { throw CompressionError.truncated }
            position += 2 + (Int(bytes[position]) | Int(bytes[position + 1]) << 8)
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 { // FNAME, FCOMMENT: zero-terminated
            while position < bytes.count && bytes[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { // FHCRC: low 16 bits of the header's CRC-32
            guard position + 2 <= bytes.count else { throw CompressionError.truncated }
            var crc = CRC32()
            crc.update(UnsafeRawBufferPointer(rebasing: bytes[0..<position]))
            let stored = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            guard stored == crc.value & 0xFFFF else {
                throw CompressionError.checksumMismatch(kind: "gzip header CRC-16", expected: stored,
                                                        actual: crc.value & 0xFFFF)
            }
            position += 2
        }
        guard position <= bytes.count else { throw CompressionError.truncated }
        return position
    }
}

/// The little-endian 32-bit word at `offset`.
@inline(__always)
func readLE32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
        | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
}
