/// Why a data file could not be read. Every case names the file.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist (neither raw nor with a `.gz` suffix).
    case missingFile(path: String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file ends before the data its header announces.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The IDX magic number is not the one expected for this kind of file.
    case wrongMagic(path: String, expected: UInt32, actual: UInt32)
    /// The gzip stream is corrupt (bad header, bad data, CRC or size mismatch).
    case badGzip(path: String, reason: CompressionError)
    /// The number of items disagrees with the companion file or the expected split size.
    case countMismatch(path: String, expected: Int, actual: Int)
    /// The header announces an impossible payload.
    case badHeader(path: String, reason: String)
    /// A label is not a class of the data set.
    case badLabel(path: String, item: Int, label: Int, classes: Int)
    /// The images are not the expected size.
    case shapeMismatch(path: String, expected: [Int], actual: [Int])

    /// A one-line message starting with the path, as compilers print diagnostics.
    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): error: file not found (also tried \(p).gz)"
        case .unreadable(let p, let why): return "\(p): error: cannot read: \(why)"
        case .truncated(let p, let e, let a): return "\(p): error: truncated: expected \(e) bytes, found \(a)"
        case .wrongMagic(let p, let e, let a): return "\(p): error: wrong IDX magic \(a), expected \(e)"
        case .badGzip(let p, let why): return "\(p): error: corrupt gzip: \(why)"
        case .countMismatch(let p, let e, let a): return "\(p): error: \(a) items, expected \(e)"
        case .badHeader(let p, let why): return "\(p): error: bad IDX header: \(why)"
        case .badLabel(let p, let i, let l, let c): return "\(p): error: item \(i) has label \(l); the labels must be 0…\(c - 1)"
        case .shapeMismatch(let p, let e, let a): return "\(p): error: item shape \(a), expected \(e)"
        }
    }
}
