import Foundation
import ELBORuntime

/// The file the IDX reader is given: it reads from a path (memory-mapped), so each input is
/// written to one scratch file of this process, in memory (/dev/shm) where there is one: a
/// write to disk per input made the target a hundred times slower.
let scratch = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    .appendingPathComponent("elbo-fuzz-idx-\(getpid())")

/// Any bytes as an MNIST file, raw or gzip-compressed (the first byte picks the magic and
/// whether an item limit is given, the rest is the file): the IDX header, the gzip/deflate
/// decoder must throw, never trap or allocate what the header announces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let mode = data[0]
    let file = Data(bytes: data + 1, count: size - 1)
    guard (try? file.write(to: scratch)) != nil else { return 0 }
    let magic = mode & 1 == 0 ? MNIST.imageMagic : MNIST.labelMagic
    let limit: Int? = mode & 2 == 0 ? nil : Int(mode >> 2)
    _ = try? IDXFile(contentsOf: scratch, expectedMagic: magic, limit: limit)
    _ = try? Gzip.decompress(Array(file))
    return 0
}
