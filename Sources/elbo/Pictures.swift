import Foundation
import ELBORuntime

/// The pictures of a trained model a person looks at: samples from the prior, test images
/// beside their reconstructions, and the loss curve.
enum Pictures {
    /// File names written into a run directory after every epoch.
    static let samplesFile = "samples.png", reconstructionsFile = "reconstructions.png", lossFile = "loss.png"

    /// `count` images decoded from the prior, as a grid. For a conditional model (a label
    /// input) there is one row per class 0, 1, … and ⌈√count⌉ columns; a latent whose prior
    /// does not depend on the class (the CDVAE's z_u) is held fixed along each column, one whose
    /// prior does is drawn afresh in every cell.
    static func samples<K>(_ model: GraphModel<K>, plan: PicturePlan, count: Int, seed: UInt64) throws -> PNGImage {
        let (height, width) = try plan.imageShape(dims: model.dims)
        let columns = max(1, Int(Double(count).squareRoot().rounded(.up)))
        var presets: [String: Tensor] = [:]
        var n = count
        let conditional = !plan.labels.isEmpty
        if conditional {
            let classes = try plan.labels.map { try plan.classes(of: $0, dims: model.dims) }
            n = (classes.max() ?? 1) * columns
            for (label, c) in zip(plan.labels, classes) {
                var onehot = Tensor(zeros: [n, c])
                for i in 0..<n { onehot.data[i * c + (i / columns) % c] = 1 }
                presets[label.name] = onehot
            }
        }
        var rng = RNG(seed: seed)
        let noise: (String, Int, Bool) -> [Float] = { _, w, dependsOnLabel in
            if conditional && !dependsOnLabel {
                let perColumn = (0..<(columns * w)).map { _ in rng.normalFloat() }
                return (0..<(n * w)).map { perColumn[(($0 / w) % columns) * w + $0 % w] }
            }
            return (0..<(n * w)).map { _ in rng.normalFloat() }
        }
        var evaluator = AncestralEvaluator(
            plan: plan, dims: model.dims, rows: n, presets: presets, labelPresets: Set(plan.labels.map(\.name)),
            runNetwork: { model.run(network: $0, inputs: $1) }, params: parameters(model), noise: noise)
        return ImageGrid.render(try evaluator.image(), height: height, width: width, columns: columns)
    }

    /// The first `count` test images, each followed by its reconstruction (decoded from one
    /// sample of the encoder's posterior), four pairs to a row.
    static func reconstructions<K>(_ model: GraphModel<K>, plan: PicturePlan, test: Dataset, count: Int = 32,
                                   seed: UInt64) throws -> PNGImage {
        let (height, width) = try plan.imageShape(dims: model.dims)
        let n = min(count, test.count)
        guard n > 0 else { throw PictureError("no test examples to reconstruct") }
        let batch = test.batch(Array(0..<n))
        var rng = RNG(seed: seed)
        let forward = model.values(batch: batch, rng: &rng)
        var evaluator = AncestralEvaluator(
            plan: plan, dims: model.dims, rows: n, presets: forward, labelPresets: [],
            runNetwork: { model.run(network: $0, inputs: $1) }, params: parameters(model),
            noise: { _, w, _ in (0..<(n * w)).map { _ in rng.normalFloat() } })
        let reconstructed = try evaluator.image()
        return pairGrid(batch.inputs, reconstructed, height: height, width: width, pairsPerRow: 4)
    }

    /// Train and test loss per epoch.
    static func lossCurve(_ history: [EpochRecord]) -> PNGImage {
        LossCurvePlot(series: [
            .init(name: "train", values: history.map(\.trainLoss)),
            .init(name: "test", values: history.map { $0.testLoss ?? .nan }),
        ], xLabel: "epoch (loss in nats per example)").render()
    }

    /// Writes the three pictures into `directory`; returns a message per picture that could
    /// not be drawn (training goes on without it).
    static func write<K>(_ model: GraphModel<K>, plan: Result<PicturePlan, Error>, test: Dataset,
                         history: [EpochRecord], seed: UInt64, to directory: URL) -> [String] {
        var problems: [String] = []
        func attempt(_ file: String, _ draw: () throws -> PNGImage) {
            do { try draw().write(to: directory.appendingPathComponent(file)) } catch {
                problems.append("\(file) not written: \(error)")
            }
        }
        attempt(lossFile) { lossCurve(history) }
        switch plan {
        case .success(let plan):
            attempt(samplesFile) { try samples(model, plan: plan, count: samplesCount, seed: samplesSeed(runSeed: seed)) }
            attempt(reconstructionsFile) { try reconstructions(model, plan: plan, test: test, seed: seed ^ 0x5245_434F_4E53) }
        case .failure(let error):
            problems.append("\(samplesFile) and \(reconstructionsFile) not written: \(error)")
        }
        return problems
    }

    /// How many samples `samples.png` shows.
    static let samplesCount = 64
    /// The generator seed of `samples.png` for a run trained with `runSeed` (its own stream, so
    /// the grid is not correlated with the training noise); `elbo sample` uses it too, so that
    /// `elbo sample DIR --seed S` redraws the grid a run with seed S wrote.
    static func samplesSeed(runSeed: UInt64) -> UInt64 { runSeed ^ 0x5A4D_504C_4553 }

    /// The kernel parameters of `model` by name.
    static func parameters<K>(_ model: GraphModel<K>) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: zip(model.descriptor.params.map(\.name), model.kernelParams))
    }

    /// Originals and reconstructions as adjacent pairs, with a wider gap between pairs than
    /// within one so that each pair reads as a unit.
    static func pairGrid(_ originals: Tensor, _ reconstructed: Tensor, height: Int, width: Int,
                         pairsPerRow: Int) -> PNGImage {
        let n = originals.rowCount, pad = 2, gap = 8, background: UInt8 = 128
        let rows = (n + pairsPerRow - 1) / pairsPerRow
        let pairWidth = 2 * width + pad
        let gridWidth = gap + pairsPerRow * (pairWidth + gap)
        let gridHeight = pad + rows * (height + pad)
        var pixels = [UInt8](repeating: background, count: gridWidth * gridHeight)
        for i in 0..<n {
            let x0 = gap + (i % pairsPerRow) * (pairWidth + gap), y0 = pad + (i / pairsPerRow) * (height + pad)
            for (k, source) in [originals, reconstructed].enumerated() {
                for y in 0..<height {
                    for x in 0..<width {
                        let v = source.data[i * height * width + y * width + x]
                        let clamped = v.isNaN ? 0 : min(max(v, 0), 1)
                        pixels[(y0 + y) * gridWidth + x0 + k * (width + pad) + x] = UInt8((clamped * 255).rounded())
                    }
                }
            }
        }
        return PNGImage(width: gridWidth, height: gridHeight, colorType: .grayscale, pixels: pixels)
    }
}
