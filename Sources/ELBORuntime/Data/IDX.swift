import Foundation

/// An IDX file (the MNIST format): a big-endian magic `0x0000_08_NN` where 08 means unsigned
/// bytes and NN is the number of dimensions, one big-endian 32-bit extent per dimension, then
/// the bytes row-major.
public struct IDXFile: Sendable {
    /// The magic number (2049 for MNIST labels, 2051 for images).
    public var magic: UInt32
    /// The extents, first the item count.
    public var dimensions: [Int]
    /// The payload, `dimensions.reduce(1, *)` bytes (fewer if read with a limit).
    public var bytes: [UInt8]

    /// Reads an IDX file, raw or gzip-compressed (detected by its magic bytes, not its name).
    ///
    /// - Parameters:
    ///   - expectedMagic: the magic number this file must have.
    ///   - limit: read at most this many items; a gzip file is then only decompressed as far as
    ///     needed, which skips its CRC check (it needs the whole stream).
    public init(contentsOf url: URL, expectedMagic: UInt32, limit: Int? = nil) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path: path) }
        let raw: Data
        do {
            raw = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw DatasetError.unreadable(path: path, reason: "\(error)")
        }
        var content = try raw.withUnsafeBytes { bytes -> [UInt8] in
            guard Gzip.hasMagic(bytes) else { return Array(bytes) }
            do {
                let prefix = try limit.map { try IDXFile.prefixLength(gzip: bytes, items: $0) }
                return try Gzip.decompress(bytes, outputLimit: prefix)
            } catch let error as CompressionError {
                throw DatasetError.badGzip(path: path, reason: error)
            }
        }
        try self.init(parsing: &content, path: path, expectedMagic: expectedMagic, limit: limit)
    }

    /// How many decompressed bytes hold the header and the first `items` items: the header is
    /// decoded first (it is tiny) to learn the item size.
    private static func prefixLength(gzip bytes: UnsafeRawBufferPointer, items: Int) throws -> Int {
        let head = try Gzip.decompress(bytes, outputLimit: 4)
        guard head.count >= 4 else { return 0 }
        let rank = Int(head[3])
        let header = try Gzip.decompress(bytes, outputLimit: 4 + 4 * rank)
        guard header.count >= 4 + 4 * rank else { return 0 }
        var itemSize = 1
        for d in 1..<max(rank, 1) {
            // An absurd extent cannot be satisfied; read the whole stream and let the parse say so.
            guard let n = IDXFile.checkedProduct(itemSize, Int(bigEndian32(header, 4 + 4 * d))) else { return Int.max }
            itemSize = n
        }
        guard let body = IDXFile.checkedProduct(max(0, items), itemSize) else { return Int.max }
        let (total, overflow) = body.addingReportingOverflow(4 + 4 * rank)
        return overflow ? Int.max : total
    }

    /// The largest payload an IDX file may announce (1 GiB; MNIST's training images are 47 MB):
    /// a header with absurd extents is an error, not an allocation.
    public static let maximumPayload = 1 << 30

    /// `a · b`, or nil when it overflows or exceeds `maximumPayload`.
    static func checkedProduct(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow || p > maximumPayload ? nil : p
    }

    private init(parsing content: inout [UInt8], path: String, expectedMagic: UInt32, limit: Int?) throws {
        guard content.count >= 4 else {
            throw DatasetError.truncated(path: path, expectedBytes: 4, actualBytes: content.count)
        }
        magic = bigEndian32(content, 0)
        guard magic == expectedMagic else {
            throw DatasetError.wrongMagic(path: path, expected: expectedMagic, actual: magic)
        }
        let rank = Int(magic & 0xFF)
        let headerLength = 4 + 4 * rank
        guard content.count >= headerLength else {
            throw DatasetError.truncated(path: path, expectedBytes: headerLength, actualBytes: content.count)
        }
        var dims = (0..<rank).map { Int(bigEndian32(content, 4 + 4 * $0)) }
        if let limit, rank > 0 { dims[0] = min(dims[0], max(0, limit)) }
        var payload = 1
        for d in dims {
            guard let p = IDXFile.checkedProduct(payload, d) else {
                throw DatasetError.badHeader(path: path, reason: "extents \(dims) announce more than \(IDXFile.maximumPayload) bytes")
            }
            payload = p
        }
        guard content.count >= headerLength + payload else {
            throw DatasetError.truncated(path: path, expectedBytes: headerLength + payload, actualBytes: content.count)
        }
        dimensions = dims
        content.removeSubrange(0..<headerLength)
        content.removeSubrange(payload...)
        bytes = content
    }
}

/// The big-endian 32-bit word at `offset`.
@inline(__always)
func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
        | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
}
