/// Why a DEFLATE, zlib or gzip stream could not be decoded.
public enum CompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before the stream did.
    case truncated
    /// A block header named the reserved block type 3.
    case invalidBlockType
    /// A stored block's length and its one's complement disagree.
    case storedLengthMismatch
    /// A Huffman code description is impossible (over-subscribed, repeat with nothing before
    /// it, no end-of-block code, …).
    case invalidCodeLengths(String)
    /// The compressed data used a code or symbol that does not exist.
    case invalidSymbol(String)
    /// A back-reference pointed before the start of the output.
    case distanceTooFar(distance: Int, available: Int)
    /// A gzip or zlib header is malformed.
    case badHeader(String)
    /// A stored checksum differs from the one computed over the output.
    case checksumMismatch(kind: String, expected: UInt32, actual: UInt32)
    /// The gzip trailer's ISIZE differs from the output length (mod 2³²).
    case sizeMismatch(expected: UInt32, actual: UInt32)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .truncated: return "compressed stream is truncated"
        case .invalidBlockType: return "invalid DEFLATE block type 3"
        case .storedLengthMismatch: return "stored block length does not match its complement"
        case .invalidCodeLengths(let why): return "invalid Huffman code lengths: \(why)"
        case .invalidSymbol(let why): return "invalid compressed symbol: \(why)"
        case .distanceTooFar(let d, let n): return "back-reference distance \(d) exceeds the \(n) bytes written"
        case .badHeader(let why): return "bad header: \(why)"
        case .checksumMismatch(let kind, let e, let a):
            return "\(kind) mismatch: stored \(hex(e)), computed \(hex(a))"
        case .sizeMismatch(let e, let a): return "size mismatch: stored \(e), decoded \(a) (mod 2^32)"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
