import Foundation

/// An 8-bit greyscale or RGB image that can be written as a PNG.
public struct PNGImage: Sendable, Equatable {
    /// The pixel layout.
    public enum ColorType: UInt8, Sendable {
        /// One byte per pixel.
        case grayscale = 0
        /// Three bytes per pixel: red, green, blue.
        case rgb = 2

        /// Bytes per pixel.
        public var channels: Int { self == .grayscale ? 1 : 3 }
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Grey or RGB.
    public let colorType: ColorType
    /// Row-major pixels, `width · height · channels` bytes.
    public var pixels: [UInt8]

    /// An image from its pixels.
    public init(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "PNGImage: empty image \(width)×\(height)")
        precondition(pixels.count == width * height * colorType.channels,
                     "PNGImage: \(pixels.count) bytes for \(width)×\(height)×\(colorType.channels)")
        self.width = width
        self.height = height
        self.colorType = colorType
        self.pixels = pixels
    }

    /// The PNG file: signature, IHDR, one IDAT (zlib of the scanlines, each with filter type
    /// 0) and IEND.
    public func encoded(mode: Deflate.Mode = .fixedHuffman) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndianBytes(UInt32(width))
        header += bigEndianBytes(UInt32(height))
        header += [8, colorType.rawValue, 0, 0, 0] // depth, colour type, deflate, filter, no interlace
        appendChunk("IHDR", header, to: &out)
        let rowBytes = width * colorType.channels
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(height * (rowBytes + 1))
        for y in 0..<height {
            scanlines.append(0)
            scanlines += pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
        }
        appendChunk("IDAT", Zlib.compress(scanlines, mode: mode), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Writes the PNG file atomically (to a temporary file, then renamed).
    public func write(to url: URL) throws {
        try Data(encoded()).write(to: url, options: .atomic)
    }

    private func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndianBytes(UInt32(data.count))
        out += typeBytes
        out += data
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        out += bigEndianBytes(crc.value)
    }
}

/// The four bytes of `value`, most significant first.
func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}
