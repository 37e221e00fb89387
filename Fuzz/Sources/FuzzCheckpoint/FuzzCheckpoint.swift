@testable import ELBORuntime

/// Any bytes as a checkpoint whose CRC-32 is right (it is appended here, so that the fuzzer gets
/// past the checksum to the lengths, shapes and metadata behind it): parsing, decoding the
/// trainer's metadata, validating it and reading tensors by name and shape must throw, never
/// trap or allocate what a length announces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let crc = CRC32.checksum(bytes)
    bytes += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
    guard let checkpoint = try? Checkpoint.parse(bytes, path: "fuzz.ckpt") else { return 0 }
    if let state = try? checkpoint.decodeMetadata(TrainingState.self, path: "fuzz.ckpt") {
        _ = try? state.validate(path: "fuzz.ckpt")
    }
    for (name, tensor) in checkpoint.tensors {
        _ = try? checkpoint.tensor(name, shape: tensor.shape, path: "fuzz.ckpt")
        _ = try? checkpoint.tensor(name, shape: [tensor.shape.reduce(1, *)], path: "fuzz.ckpt")
    }
    return 0
}
