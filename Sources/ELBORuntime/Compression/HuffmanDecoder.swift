// Table-driven decoding of canonical Huffman codes (RFC 1951 §3.2.2).

/// A canonical Huffman code ready for decoding.
///
/// Codes of up to `fastBits` bits (nearly every symbol in practice) are resolved by one lookup
/// indexed with the next bits of input; longer codes fall back to the counting method of
/// zlib's `puff.c`. DEFLATE packs codes most-significant bit first into an LSB-first bit
/// stream, so table indices are the bit-reversed codes.
struct HuffmanDecoder {
    static let fastBits = 10
    static let maxBits = 15

    /// `symbol << 4 | length` for a code of `length` ≤ fastBits bits; 0 means "longer code".
    var fast: [UInt16]
    /// The number of codes of each length 0…15.
    var counts: [Int]
    /// The symbols ordered by (length, value): canonical order.
    var symbols: [UInt16]

    /// Builds the code for symbols 0..<lengths.count with the given code lengths (0 = unused).
    /// An over-subscribed set of lengths is rejected; an incomplete one is accepted (RFC 1951
    /// allows a single distance code), and its unused codes fail when decoded.
    init(lengths: [UInt8]) throws {
        counts = [Int](repeating: 0, count: HuffmanDecoder.maxBits + 1)
        for l in lengths { counts[Int(l)] += 1 }
        counts[0] = 0
        var left = 1
        for len in 1...HuffmanDecoder.maxBits {
            left = left * 2 - counts[len]
            if left < 0 { throw CompressionError.invalidCodeLengths("over-subscribed code") }
        }
        // Offsets of each length's first symbol in canonical order.
        var offsets = [Int](repeating: 0, count: HuffmanDecoder.maxBits + 2)
        for len in 1...HuffmanDecoder.maxBits { offsets[len + 1] = offsets[len] + counts[len] }
        symbols = [UInt16](repeating: 0, count: offsets[HuffmanDecoder.maxBits + 1])
        for (symbol, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[Int(l)]] = UInt16(symbol)
            offsets[Int(l)] += 1
        }
        fast = [UInt16](repeating: 0, count: 1 << HuffmanDecoder.fastBits)
        var code = 0, index = 0
        for len in 1...HuffmanDecoder.fastBits {
            for _ in 0..<counts[len] {
                let symbol = symbols[index]
                var reversed = 0
                for b in 0..<len where (code >> b) & 1 != 0 { reversed |= 1 << (len - 1 - b) }
                let entry = symbol << 4 | UInt16(len)
                var slot = reversed
                while slot < fast.count {
                    fast[slot] = entry
                    slot += 1 << len
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }

    /// Decodes a code longer than `fastBits` from the low bits of `bits` (LSB first).
    /// Returns the symbol and its length, or nil when the bits are no code at all.
    func decodeSlow(_ bits: UInt64) -> (symbol: Int, length: Int)? {
        var code = 0, first = 0, index = 0
        var b = bits
        for len in 1...HuffmanDecoder.maxBits {
            code |= Int(b & 1)
            b >>= 1
            let count = counts[len]
            if code - first < count { return (Int(symbols[index + code - first]), len) }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        return nil
    }

    /// The fixed literal/length code of block type 1.
    static let fixedLiteral: HuffmanDecoder = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return try! HuffmanDecoder(lengths: lengths)
    }()

    /// The fixed distance code of block type 1 (codes 30 and 31 exist but are invalid).
    static let fixedDistance = try! HuffmanDecoder(lengths: [UInt8](repeating: 5, count: 32))
}
