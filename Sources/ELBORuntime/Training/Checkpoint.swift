import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named Float tensors plus a JSON metadata blob, stored in one binary file.
///
/// Layout (all integers little-endian): the 8-byte magic `ELBOCKPT`, format version (u32),
/// tensor count (u32), metadata length (u64), the metadata, then per tensor its name length
/// (u32), UTF-8 name, rank (u32), extents (u64 each) and elements (raw IEEE Float32, so a
/// reload is bit-exact), and finally a CRC-32 of everything before it.
public struct Checkpoint: Sendable {
    /// The format version this build writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("ELBOCKPT".utf8)

    /// The tensors, in the order they are written.
    public private(set) var tensors: [(name: String, tensor: Tensor)] = []
    /// Free-form metadata, normally JSON (see `init(metadata:)`).
    public var metadata: [UInt8]

    /// An empty checkpoint with raw metadata bytes.
    public init(metadataBytes: [UInt8] = []) {
        metadata = metadataBytes
    }

    /// An empty checkpoint whose metadata is `value` encoded as JSON.
    public init<M: Encodable>(metadata value: M) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        metadata = Array(try encoder.encode(value))
    }

    /// Decodes the metadata as JSON.
    public func decodeMetadata<M: Decodable>(_ type: M.Type, path: String = "<checkpoint>") throws -> M {
        do {
            return try JSONDecoder().decode(M.self, from: Data(metadata))
        } catch {
            throw CheckpointError.corruptMetadata(path: path, reason: "\(error)")
        }
    }

    /// Adds a tensor; names must be unique.
    public mutating func append(_ name: String, _ tensor: Tensor) {
        precondition(self[name] == nil, "Checkpoint: duplicate tensor name '\(name)'")
        tensors.append((name, tensor))
    }

    /// The tensor with the given name, if any.
    public subscript(name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }

    /// The named tensor, which must exist with the given shape.
    public func tensor(_ name: String, shape: [Int], path: String = "<checkpoint>") throws -> Tensor {
        guard let t = self[name] else { throw CheckpointError.missingTensor(path: path, name: name) }
        guard t.shape == shape else {
            throw CheckpointError.shapeMismatch(path: path, name: name, expected: shape, actual: t.shape)
        }
        return t
    }

    /// The file contents.
    public func serialized() -> [UInt8] {
        var out = Checkpoint.magic
        out.reserveCapacity(64 + metadata.count + tensors.reduce(0) { $0 + 64 + 4 * $1.tensor.count })
        appendLE(&out, Checkpoint.version)
        appendLE(&out, UInt32(tensors.count))
        appendLE(&out, UInt64(metadata.count))
        out += metadata
        for (name, tensor) in tensors {
            let nameBytes = Array(name.utf8)
            appendLE(&out, UInt32(nameBytes.count))
            out += nameBytes
            appendLE(&out, UInt32(tensor.rank))
            for extent in tensor.shape { appendLE(&out, UInt64(extent)) }
            #if _endian(little)
            tensor.withUnsafeBufferPointer { out += UnsafeRawBufferPointer($0) } // already little-endian
            #else
            for value in tensor.data { appendLE(&out, value.bitPattern) }
            #endif
        }
        appendLE(&out, CRC32.checksum(out))
        return out
    }

    /// Writes the checkpoint atomically: to a temporary file in the same directory, flushed to
    /// disk, then renamed over `url`, so a crash or Ctrl-C never leaves a half-written file.
    public func save(to url: URL) throws {
        let path = url.path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(Checkpoint.temporaryName(of: url, pid: getpid())).path
        let bytes = serialized()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CheckpointError.ioFailure(path: temporary, reason: "cannot create: \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = errnoText()
                close(fd)
                unlink(temporary)
                throw CheckpointError.ioFailure(path: temporary, reason: "write failed: \(reason)")
            }
            written += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw CheckpointError.ioFailure(path: path, reason: "cannot replace: \(reason)")
        }
    }

    /// The name of the temporary file `save(to:)` writes before renaming, for process `pid`.
    static func temporaryName(of url: URL, pid: Int32) -> String { ".\(url.lastPathComponent).tmp-\(pid)" }

    /// Removes temporary files that a save to `url` killed before its rename left behind (those
    /// of processes no longer running); returns their paths. Called when training starts.
    @discardableResult
    public static func removeStaleTemporaries(of url: URL) -> [String] {
        let directory = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            // A live process (other than this one) may be saving right now: leave its file.
            if pid != getpid(), pid > 0, kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = directory.appendingPathComponent(name).path
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// Reads and validates a checkpoint file.
    public static func load(from url: URL) throws -> Checkpoint {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.ioFailure(path: path, reason: "cannot read: \(error)")
        }
        return try parse(Array(data), path: path)
    }

    /// Parses checkpoint bytes; `path` is only used in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else { throw CheckpointError.badMagic(path: path) }
        var reader = ByteReader(bytes: bytes, path: path, position: 8)
        let version = try reader.u32("version")
        guard version == Checkpoint.version else {
            throw CheckpointError.unsupportedVersion(path: path, found: version, supported: Checkpoint.version)
        }
        guard bytes.count >= 8 + 4 + 4 + 8 + 4 else {
            throw CheckpointError.truncated(path: path, detail: "header is incomplete")
        }
        let stored = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8
            | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
        let actual = CRC32.checksum(bytes[..<(bytes.count - 4)])
        guard stored == actual else {
            throw CheckpointError.checksumMismatch(path: path, expected: stored, actual: actual)
        }
        reader.end = bytes.count - 4
        let count = Int(try reader.u32("tensor count"))
        let metadataLength = try reader.length(try reader.u64("metadata length"), "metadata length")
        var checkpoint = Checkpoint(metadataBytes: try reader.bytes(metadataLength, "metadata"))
        for index in 0..<count {
            let nameLength = Int(try reader.u32("name length of tensor \(index)"))
            let name = String(decoding: try reader.bytes(nameLength, "name of tensor \(index)"), as: UTF8.self)
            let rank = Int(try reader.u32("rank of '\(name)'"))
            guard rank <= 16 else { throw CheckpointError.truncated(path: path, detail: "rank \(rank) of '\(name)'") }
            var shape: [Int] = []
            var elements = 1
            for _ in 0..<rank {
                // Every extent and their product must fit the bytes left, so that a header with
                // valid CRC but absurd sizes is an error, not an overflow or an allocation.
                let extent = try reader.length(try reader.u64("shape of '\(name)'"), "an extent of '\(name)'")
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow, product <= (reader.end - reader.position) / 4 else {
                    throw CheckpointError.truncated(path: path, detail: "shape \(shape + [extent]) of '\(name)' needs more bytes than the file has")
                }
                shape.append(extent)
                elements = product
            }
            let raw = try reader.bytes(4 * elements, "data of '\(name)'")
            var values = [Float](repeating: 0, count: elements)
            values.withUnsafeMutableBytes { dst in
                raw.withUnsafeBytes { src in
                    for i in 0..<elements {
                        let bits = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                        dst.storeBytes(of: bits, toByteOffset: 4 * i, as: UInt32.self)
                    }
                }
            }
            guard checkpoint[name] == nil else {
                throw CheckpointError.corruptMetadata(path: path, reason: "duplicate tensor '\(name)'")
            }
            checkpoint.tensors.append((name, Tensor(shape: shape, data: values)))
        }
        guard reader.position == reader.end else {
            throw CheckpointError.truncated(path: path, detail: "\(reader.end - reader.position) unexpected trailing bytes")
        }
        return checkpoint
    }
}

/// A bounds-checked little-endian reader whose errors say what was being read.
private struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var position: Int
    var end: Int

    init(bytes: [UInt8], path: String, position: Int) {
        self.bytes = bytes
        self.path = path
        self.position = position
        end = bytes.count
    }

    mutating func bytes(_ n: Int, _ what: String) throws -> [UInt8] {
        guard n >= 0, n <= end - position else {
            throw CheckpointError.truncated(path: path, detail: "\(what) needs \(n) bytes, \(end - position) left")
        }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    /// A stored 64-bit length as an `Int` no larger than the bytes left.
    func length(_ value: UInt64, _ what: String) throws -> Int {
        guard value <= UInt64(end - position) else {
            throw CheckpointError.truncated(path: path, detail: "\(what) \(value) exceeds the \(end - position) bytes left")
        }
        return Int(value)
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        try bytes(4, what).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64(_ what: String) throws -> UInt64 {
        try bytes(8, what).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

private func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
    var v = value.littleEndian
    withUnsafeBytes(of: &v) { out += $0 }
}

private func errnoText() -> String { String(cString: strerror(errno)) }
