/// Why a checkpoint could not be written or read. Every case names the file.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There is no file at the path.
    case missingFile(path: String)
    /// The file system refused a read, write or rename.
    case ioFailure(path: String, reason: String)
    /// The file does not start with the checkpoint magic.
    case badMagic(path: String)
    /// The file was written by a format version this build cannot read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The file ends before the data its header announces, or has bytes after it.
    case truncated(path: String, detail: String)
    /// The trailing CRC-32 does not match the contents: the file is corrupt.
    case checksumMismatch(path: String, expected: UInt32, actual: UInt32)
    /// The JSON metadata could not be decoded.
    case corruptMetadata(path: String, reason: String)
    /// A tensor the reader needs is absent.
    case missingTensor(path: String, name: String)
    /// A tensor has a different shape from the one the reader needs.
    case shapeMismatch(path: String, name: String, expected: [Int], actual: [Int])
    /// The checkpoint belongs to a different model or training setup.
    case incompatible(path: String, reason: String)

    /// A one-line message starting with the path.
    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): error: checkpoint not found"
        case .ioFailure(let p, let why): return "\(p): error: \(why)"
        case .badMagic(let p): return "\(p): error: not a checkpoint (bad magic)"
        case .unsupportedVersion(let p, let f, let s):
            return "\(p): error: checkpoint format version \(f), this build reads version \(s)"
        case .truncated(let p, let d): return "\(p): error: truncated checkpoint: \(d)"
        case .checksumMismatch(let p, let e, let a):
            return "\(p): error: checkpoint CRC-32 mismatch (stored \(e), computed \(a))"
        case .corruptMetadata(let p, let why): return "\(p): error: bad checkpoint metadata: \(why)"
        case .missingTensor(let p, let n): return "\(p): error: checkpoint has no tensor '\(n)'"
        case .shapeMismatch(let p, let n, let e, let a):
            return "\(p): error: tensor '\(n)' has shape \(a), expected \(e)"
        case .incompatible(let p, let why): return "\(p): error: incompatible checkpoint: \(why)"
        }
    }
}
