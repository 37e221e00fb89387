import Foundation

/// A line chart of one or more loss series against the epoch, rendered to a PNG: axes with
/// tick marks and numeric labels, one colour per series and a legend.
public struct LossCurvePlot: Sendable {
    /// One named curve; `values[i]` is plotted at x = i + 1. Non-finite values are skipped.
    public struct Series: Sendable {
        /// The legend label.
        public var name: String
        /// The y values, one per epoch.
        public var values: [Double]
        /// The line colour; nil takes the palette colour of the series' position.
        public var color: RGB?

        /// A named series of values.
        public init(name: String, values: [Double], color: RGB? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    /// The curves, drawn in order.
    public var series: [Series]
    /// Image width in pixels.
    public var width: Int
    /// Image height in pixels.
    public var height: Int
    /// The label under the x axis.
    public var xLabel: String

    /// A plot of the given series.
    public init(series: [Series], width: Int = 640, height: Int = 400, xLabel: String = "epoch") {
        self.series = series
        self.width = width
        self.height = height
        self.xLabel = xLabel
    }

    /// Draws the chart.
    public func render() -> PNGImage {
        let ink = RGB(40, 40, 40), grid = RGB(225, 225, 225)
        var canvas = Canvas(width: width, height: height, background: RGB(255, 255, 255))
        let left = 72, right = 16, top = 16, bottom = 44
        let plotW = width - left - right, plotH = height - top - bottom
        guard plotW > 10, plotH > 10 else { return canvas.image() }

        let finite = series.flatMap { $0.values.filter { $0.isFinite } }
        let count = max(1, series.map { $0.values.count }.max() ?? 1)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= 0.5; hi += 0.5 }
        let yTicks = niceTicks(lo, hi, target: 6)
        lo = min(lo, yTicks.first ?? lo)
        hi = max(hi, yTicks.last ?? hi)
        let xMax = Double(max(count, 2))
        // Inset the first and last epoch so that their markers do not sit on the axes.
        let inset = 8
        func px(_ x: Double) -> Int {
            left + inset + Int(((x - 1) / (xMax - 1) * Double(plotW - 2 * inset)).rounded())
        }
        func py(_ y: Double) -> Int { top + plotH - Int(((y - lo) / (hi - lo) * Double(plotH)).rounded()) }

        // Grid lines and y tick labels.
        for t in yTicks {
            let y = py(t)
            canvas.line(left, y, left + plotW, y, grid)
            canvas.line(left - 5, y, left, y, ink)
            let label = tickLabel(t)
            canvas.text(label, x: left - 8 - Canvas.textWidth(label), y: y - 5, ink)
        }
        for t in niceTicks(1, xMax, target: 8) where t >= 1 && t == t.rounded() {
            let x = px(t)
            canvas.line(x, top + plotH, x, top + plotH + 5, ink)
            let label = tickLabel(t)
            canvas.text(label, x: x - Canvas.textWidth(label) / 2, y: top + plotH + 9, ink)
        }
        canvas.line(left, top, left, top + plotH, ink)
        canvas.line(left, top + plotH, left + plotW, top + plotH, ink)
        canvas.text(xLabel, x: left + plotW / 2 - Canvas.textWidth(xLabel) / 2, y: height - 14, ink)

        let colors = series.enumerated().map { i, s in s.color ?? RGB.palette[i % RGB.palette.count] }
        for (s, color) in zip(series, colors) {
            var previous: (Int, Int)?
            for (i, v) in s.values.enumerated() {
                guard v.isFinite else { previous = nil; continue }
                let point = (px(Double(i + 1)), py(v))
                if let p = previous { canvas.line(p.0, p.1, point.0, point.1, color, thickness: 2) }
                canvas.fill(x: point.0 - 2, y: point.1 - 2, width: 5, height: 5, color)
                previous = point
            }
        }

        // Legend, top right inside the plot area.
        var ly = top + 8
        for (s, color) in zip(series, colors) {
            let w = Canvas.textWidth(s.name)
            let x = left + plotW - w - 30
            canvas.fill(x: x - 4, y: ly - 3, width: w + 34, height: 16, RGB(255, 255, 255))
            canvas.line(x, ly + 4, x + 16, ly + 4, color, thickness: 3)
            canvas.text(s.name, x: x + 22, y: ly, ink)
            ly += 16
        }
        return canvas.image()
    }

    /// Writes the chart as a PNG.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }
}

/// Round tick values (1, 2 or 5 times a power of ten) from at or below `lo` to at or above `hi`.
func niceTicks(_ lo: Double, _ hi: Double, target: Int) -> [Double] {
    guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
    let raw = (hi - lo) / Double(max(target, 1))
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    // Integer multiples of the step, so that no rounding error accumulates along the axis.
    var k = floor(lo / step)
    var ticks = [k * step]
    while ticks.last! < hi - step * 1e-9 && ticks.count < 50 {
        k += 1
        ticks.append(k * step)
    }
    return ticks
}

/// A short label: at most three significant digits, exponent form for very large or small.
func tickLabel(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.2g", v) }
    var s = String(format: "%.3g", v)
    if s.contains(".") && !s.contains("e") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s
}
