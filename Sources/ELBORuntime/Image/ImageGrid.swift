/// Tiles images into one picture, row by row, for looking at samples and reconstructions.
public enum ImageGrid {
    /// A greyscale grid of the rows of `images` (`[N, height·width]`, values in [0, 1], clamped).
    ///
    /// - Parameters:
    ///   - columns: images per grid row (default: the smallest square that holds them all).
    ///   - padding: pixels between images and around the edge.
    ///   - background: the grey level of the padding (mid grey separates white-on-black digits).
    public static func render(_ images: Tensor, height: Int, width: Int, columns: Int? = nil,
                              padding: Int = 2, background: UInt8 = 128) -> PNGImage {
        let n = images.rowCount
        precondition(n > 0 && images.rowLength == height * width,
                     "ImageGrid: images \(images.shape) are not [N, \(height)·\(width)]")
        let cols = max(1, columns ?? Int(Double(n).squareRoot().rounded(.up)))
        let rows = (n + cols - 1) / cols
        let gridWidth = cols * (width + padding) + padding
        let gridHeight = rows * (height + padding) + padding
        var pixels = [UInt8](repeating: background, count: gridWidth * gridHeight)
        images.withUnsafeBufferPointer { src in
            for i in 0..<n {
                let x0 = padding + (i % cols) * (width + padding)
                let y0 = padding + (i / cols) * (height + padding)
                for y in 0..<height {
                    for x in 0..<width {
                        let v = src[i * height * width + y * width + x]
                        // NaN maps to 0 rather than trapping in the conversion.
                        let clamped = v.isNaN ? 0 : min(max(v, 0), 1)
                        pixels[(y0 + y) * gridWidth + x0 + x] = UInt8((clamped * 255).rounded())
                    }
                }
            }
        }
        return PNGImage(width: gridWidth, height: gridHeight, colorType: .grayscale, pixels: pixels)
    }
}
