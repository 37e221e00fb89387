// DEFLATE decompression (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.

/// A raw DEFLATE decoder.
public enum Inflate {
    /// The result of decoding one DEFLATE stream.
    public struct Result: Sendable {
        /// The decompressed bytes.
        public var bytes: [UInt8]
        /// How many input bytes the stream occupied (up to its final block's last byte).
        public var consumed: Int
        /// False when decoding stopped early because `outputLimit` was reached.
        public var complete: Bool
    }

    /// Decompresses the DEFLATE stream at the start of `input`.
    ///
    /// - Parameters:
    ///   - sizeHint: the expected output size (e.g. gzip's ISIZE), to allocate once.
    ///   - outputLimit: stop once this many bytes are produced (for reading a prefix of a
    ///     large file); the result then has `complete == false` and may exceed the limit by
    ///     one back-reference.
    public static func decompress(_ input: UnsafeRawBufferPointer, sizeHint: Int = 0,
                                  outputLimit: Int? = nil) throws -> Result {
        // A hint is read from the file (gzip's ISIZE) and may lie: trust it up to 128 MB and let
        // the buffer grow past that only as real output arrives.
        var capacity = max(min(sizeHint, 1 << 27), 4 * min(input.count, 1 << 25), 1024)
        if let outputLimit, outputLimit < Int.max - 1024 { capacity = min(capacity, max(outputLimit, 0) + 1024) }
        var state = InflateState(input: input, capacity: capacity)
        defer { state.output.deallocate() }
        let complete = try state.run(limit: outputLimit ?? Int.max)
        let bytes = Array(UnsafeBufferPointer(start: state.output, count: state.outputCount))
        return Result(bytes: bytes, consumed: state.consumedBytes, complete: complete)
    }

    /// Decompresses a DEFLATE stream held in an array.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0).bytes }
    }
}

/// Base lengths and extra bits of length symbols 257…285.
private let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
/// Base distances and extra bits of distance symbols 0…29.
private let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                   257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                   8193, 12289, 16385, 24577]
private let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
/// The order in which code-length code lengths are sent.
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/// The decoder's working state: an LSB-first bit buffer over the input and a growable output.
struct InflateState {
    let input: UnsafeRawBufferPointer
    /// The next input byte to load into the bit buffer. May run past the end by a few bytes of
    /// zero padding, so the hot loop never checks for the end; `refill` bounds the overrun.
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var outputCount = 0

    init(input: UnsafeRawBufferPointer, capacity: Int) {
        self.input = input
        self.capacity = capacity
        output = .allocate(capacity: capacity)
    }

    /// Input bytes consumed so far, not counting whole bytes still sitting in the bit buffer.
    var consumedBytes: Int { position - bitCount / 8 }

    /// Tops the bit buffer up to at least 56 bits: one refill covers a whole length/distance
    /// pair (at most 15 + 5 + 15 + 13 = 48 bits).
    @inline(__always)
    mutating func refill() throws {
        if position + 8 <= input.count {
            let word = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            let bytes = (63 - bitCount) >> 3
            position += bytes
            bitCount += bytes << 3
            return
        }
        while bitCount <= 56 {
            if position >= input.count {
                // Reading zeros past the end is harmless for lookahead, but a stream that
                // really needs them is truncated; 16 bytes is more than any lookahead.
                if position - input.count >= 16 { throw CompressionError.truncated }
            } else {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            }
            position += 1
            bitCount += 8
        }
    }

    /// Removes and returns the next `n` ≤ 32 bits; the buffer must hold them (after `refill`).
    @inline(__always)
    mutating func take(_ n: Int) -> Int {
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    /// The next Huffman symbol; the buffer must hold at least 15 bits.
    @inline(__always)
    mutating func decode(_ code: HuffmanDecoder) throws -> Int {
        let entry = code.fast.withUnsafeBufferPointer { $0[Int(bitBuffer & 0x3FF)] }
        if entry != 0 {
            let length = Int(entry & 15)
            bitBuffer >>= UInt64(length)
            bitCount -= length
            return Int(entry >> 4)
        }
        guard let (symbol, length) = code.decodeSlow(bitBuffer) else {
            throw CompressionError.invalidSymbol("bits match no Huffman code")
        }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return symbol
    }

    /// Makes room for `extra` more output bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if outputCount + extra <= capacity { return }
        let newCapacity = max(capacity * 2, outputCount + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: output, count: outputCount)
        output.deallocate()
        output = grown
        capacity = newCapacity
    }

    /// Decodes blocks until the final one or until `limit` output bytes. Returns whether the
    /// final block was reached.
    mutating func run(limit: Int) throws -> Bool {
        var final = false
        while !final {
            if outputCount >= limit { return false }
            try refill()
            final = take(1) == 1
            switch take(2) {
            case 0: try storedBlock()
            case 1:
                let ended = try huffmanBlock(HuffmanDecoder.fixedLiteral, HuffmanDecoder.fixedDistance, limit: limit)
                if !ended { return false }
            case 2:
                let (literal, distance) = try dynamicCodes()
                if !(try huffmanBlock(literal, distance, limit: limit)) { return false }
            default: throw CompressionError.invalidBlockType
            }
        }
        // The zero padding may only have been looked at, never consumed.
        if (position * 8 - bitCount) > input.count * 8 { throw CompressionError.truncated }
        return true
    }

    /// Block type 0: skip to a byte boundary, then LEN, NLEN and LEN raw bytes.
    mutating func storedBlock() throws {
        _ = take(bitCount & 7)
        // Give back the whole bytes still buffered, then read straight from the input.
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw CompressionError.truncated }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == (~complement & 0xFFFF) else { throw CompressionError.storedLengthMismatch }
        position += 4
        guard position + length <= input.count else { throw CompressionError.truncated }
        reserve(length)
        if length > 0 {
            (output + outputCount).update(
                from: input.baseAddress!.advanced(by: position).assumingMemoryBound(to: UInt8.self),
                count: length)
        }
        outputCount += length
        position += length
    }

    /// Block type 2's header: the code-length code, then the literal and distance code lengths.
    mutating func dynamicCodes() throws -> (HuffmanDecoder, HuffmanDecoder) {
        try refill()
        let literalCount = take(5) + 257
        let distanceCount = take(5) + 1
        let codeLengthCount = take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw CompressionError.invalidCodeLengths("\(literalCount) literal or \(distanceCount) distance codes")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            try refill()
            codeLengthLengths[codeLengthOrder[i]] = UInt8(take(3))
        }
        let codeLengthCode = try HuffmanDecoder(lengths: codeLengthLengths)
        var lengths = [UInt8]()
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            try refill()
            let symbol = try decode(codeLengthCode)
            var repeatValue: UInt8 = 0, repeatCount = 0
            switch symbol {
            case 0...15:
                lengths.append(UInt8(symbol))
                continue
            case 16:
                guard let previous = lengths.last else {
                    throw CompressionError.invalidCodeLengths("repeat with no previous length")
                }
                repeatValue = previous
                repeatCount = 3 + take(2)
            case 17: repeatCount = 3 + take(3)
            default: repeatCount = 11 + take(7)
            }
            guard lengths.count + repeatCount <= literalCount + distanceCount else {
                throw CompressionError.invalidCodeLengths("repeat runs past the last code")
            }
            lengths += repeatElement(repeatValue, count: repeatCount)
        }
        guard lengths[256] != 0 else { throw CompressionError.invalidCodeLengths("no end-of-block code") }
        return (try HuffmanDecoder(lengths: Array(lengths[..<literalCount])),
                try HuffmanDecoder(lengths: Array(lengths[literalCount...])))
    }

    /// Decodes literals and back-references until the end-of-block symbol (returns true) or
    /// until the output reaches `limit` (returns false).
    mutating func huffmanBlock(_ literal: HuffmanDecoder, _ distance: HuffmanDecoder, limit: Int) throws -> Bool {
        while true {
            try refill()
            let symbol = try decode(literal)
            if symbol < 256 {
                reserve(1)
                output[outputCount] = UInt8(truncatingIfNeeded: symbol)
                outputCount += 1
                continue
            }
            if symbol == 256 { return true }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw CompressionError.invalidSymbol("length symbol \(symbol)") }
            let length = lengthBase[lengthIndex] + take(lengthExtra[lengthIndex])
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < 30 else {
                throw CompressionError.invalidSymbol("distance symbol \(distanceSymbol)")
            }
            let dist = distanceBase[distanceSymbol] + take(distanceExtra[distanceSymbol])
            guard dist <= outputCount else {
                throw CompressionError.distanceTooFar(distance: dist, available: outputCount)
            }
            reserve(length)
            let destination = output + outputCount
            let source = destination - dist
            if dist >= length {
                destination.update(from: source, count: length)
            } else {
                // Overlapping copy: the run repeats the last `dist` bytes, byte by byte.
                for i in 0..<length { destination[i] = source[i] }
            }
            outputCount += length
            if outputCount >= limit { return false }
        }
    }
}
