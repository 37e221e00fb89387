// A small DEFLATE encoder (RFC 1951) for writing PNGs: greedy LZ77 matching with a short hash
// chain, coded with the fixed Huffman tables, or stored blocks. Not zlib's ratio, but plots
// and image grids (long runs of one colour) shrink tens of times, and the code stays short.

/// A DEFLATE encoder.
public enum Deflate {
    /// How to encode.
    public enum Mode: Sendable {
        /// Uncompressed stored blocks (at most 65535 bytes each).
        case stored
        /// LZ77 back-references coded with the fixed Huffman code.
        case fixedHuffman
    }

    /// Compresses `input` into a complete raw DEFLATE stream.
    public static func compress(_ input: [UInt8], mode: Mode = .fixedHuffman) -> [UInt8] {
        switch mode {
        case .stored: return stored(input)
        case .fixedHuffman: return fixedHuffman(input)
        }
    }

    static func stored(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + 5 * (input.count / 65535 + 1))
        var start = 0
        repeat {
            let length = min(65535, input.count - start)
            let final: UInt8 = start + length == input.count ? 1 : 0
            out.append(final) // BFINAL, BTYPE = 00, then padding to the byte boundary
            out += [UInt8(length & 0xFF), UInt8(length >> 8),
                    UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += input[start..<(start + length)]
            start += length
        } while start < input.count
        return out
    }

    static func fixedHuffman(_ input: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1) // BFINAL
        writer.write(1, bits: 2) // BTYPE = 01, fixed Huffman
        let hashSize = 1 << 15, window = 32768, maxChain = 16
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: window)
        @inline(__always) func hash(_ i: Int) -> Int {
            (Int(input[i]) << 10 ^ Int(input[i + 1]) << 5 ^ Int(input[i + 2])) & (hashSize - 1)
        }
        @inline(__always) func insert(_ i: Int) {
            guard i + 2 < input.count else { return }
            let h = hash(i)
            previous[i & (window - 1)] = head[h]
            head[h] = i
        }
        var i = 0
        while i < input.count {
            var bestLength = 0, bestDistance = 0
            if i + 2 < input.count {
                var candidate = head[hash(i)]
                var steps = 0
                let maxLength = min(258, input.count - i)
                while candidate >= 0 && i - candidate <= window && steps < maxChain {
                    var length = 0
                    while length < maxLength && input[candidate + length] == input[i + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = i - candidate
                        if length == maxLength { break }
                    }
                    candidate = previous[candidate & (window - 1)]
                    steps += 1
                }
            }
            if bestLength >= 3 {
                writer.writeLength(bestLength)
                writer.writeDistance(bestDistance)
                for j in i..<(i + bestLength) { insert(j) }
                i += bestLength
            } else {
                writer.writeLiteral(Int(input[i]))
                insert(i)
                i += 1
            }
        }
        writer.writeLiteral(256) // end of block
        return writer.finish()
    }
}

/// An LSB-first bit writer with the fixed Huffman code of RFC 1951 §3.2.6.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// Writes a Huffman code, which DEFLATE sends most-significant bit first.
    mutating func writeCode(_ code: Int, bits: Int) {
        var reversed = 0
        for b in 0..<bits where (code >> b) & 1 != 0 { reversed |= 1 << (bits - 1 - b) }
        write(reversed, bits: bits)
    }

    /// A literal/length symbol 0…287 in the fixed code.
    mutating func writeLiteral(_ symbol: Int) {
        switch symbol {
        case 0..<144: writeCode(0x30 + symbol, bits: 8)
        case 144..<256: writeCode(0x190 + symbol - 144, bits: 9)
        case 256..<280: writeCode(symbol - 256, bits: 7)
        default: writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    mutating func writeLength(_ length: Int) {
        // Length symbols 257…284 cover 4·2^k lengths per group of four; 285 is exactly 258.
        if length == 258 { writeLiteral(285); return }
        var symbol = 257, base = 3, extra = 0
        while true {
            let span = 1 << extra
            if length < base + span { break }
            base += span
            symbol += 1
            if symbol >= 265 && (symbol - 261) % 4 == 0 { extra += 1 }
        }
        writeLiteral(symbol)
        if extra > 0 { write(length - base, bits: extra) }
    }

    mutating func writeDistance(_ distance: Int) {
        var symbol = 0, base = 1, extra = 0
        while true {
            let span = 1 << extra
            if distance < base + span { break }
            base += span
            symbol += 1
            if symbol >= 4 && symbol % 2 == 0 { extra += 1 }
        }
        writeCode(symbol, bits: 5)
        if extra > 0 { write(distance - base, bits: extra) }
    }

    /// Flushes the last partial byte (zero-padded) and returns the stream.
    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
        return bytes
    }
}
