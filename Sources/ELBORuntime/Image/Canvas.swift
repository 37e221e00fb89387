/// An RGB colour.
public struct RGB: Sendable, Equatable {
    /// Red, green and blue, 0…255.
    public var r: UInt8, g: UInt8, b: UInt8

    /// A colour from its components.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Colours for successive series: blue, orange, green, red, purple, brown (matplotlib's).
    public static let palette: [RGB] = [RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44),
                                        RGB(214, 39, 40), RGB(148, 103, 189), RGB(140, 86, 75)]
}

/// A small RGB raster with the drawing primitives the plots need.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, background: RGB) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    /// Sets one pixel; points outside the canvas are ignored (lines may be clipped).
    mutating func set(_ x: Int, _ y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.r
        pixels[i + 1] = c.g
        pixels[i + 2] = c.b
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ c: RGB) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, c) } }
    }

    /// A line of the given thickness (Bresenham, stamping a square brush).
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: RGB, thickness: Int = 1) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        let lo = -(thickness - 1) / 2, hi = thickness / 2
        while true {
            for oy in lo...hi { for ox in lo...hi { set(x + ox, y + oy, c) } }
            if x == x1 && y == y1 { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Text in the 3×5 pixel font, each font pixel drawn as `scale`×`scale`; (x, y) is the
    /// top-left corner. Returns the width drawn.
    @discardableResult
    mutating func text(_ s: String, x: Int, y: Int, _ c: RGB, scale: Int = 2) -> Int {
        var cx = x
        for ch in s.uppercased() {
            if let rows = PixelFont.glyph(ch) {
                for (ry, row) in rows.enumerated() {
                    for (rx, bit) in row.enumerated() where bit == "#" {
                        fill(x: cx + rx * scale, y: y + ry * scale, width: scale, height: scale, c)
                    }
                }
            }
            cx += 4 * scale
        }
        return cx - x
    }

    /// The width `text` would draw.
    static func textWidth(_ s: String, scale: Int = 2) -> Int { s.count * 4 * scale }

    /// The image.
    func image() -> PNGImage {
        PNGImage(width: width, height: height, colorType: .rgb, pixels: pixels)
    }
}
