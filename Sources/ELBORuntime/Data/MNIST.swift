import Foundation

/// The MNIST handwritten digits: 28×28 greyscale images with labels 0…9.
public enum MNIST {
    /// Which half of the data.
    public enum Split: String, Sendable, CaseIterable {
        /// 60,000 training examples.
        case train
        /// 10,000 test examples.
        case test

        /// The file name stem used by the original distribution.
        var stem: String { self == .train ? "train" : "t10k" }
        /// The number of examples in the full split.
        public var size: Int { self == .train ? 60_000 : 10_000 }
    }

    /// Image height and width in pixels.
    public static let side = 28
    /// The number of classes (digits 0…9).
    public static let classes = 10
    /// Pixels per image.
    public static let pixels = 784
    /// The IDX magic number of an image file (unsigned bytes, 3 dimensions).
    public static let imageMagic: UInt32 = 0x0000_0803
    /// The IDX magic number of a label file (unsigned bytes, 1 dimension).
    public static let labelMagic: UInt32 = 0x0000_0801

    /// The copy of MNIST shipped with this package.
    public static var bundledDirectory: URL? {
        Bundle.module.url(forResource: "MNIST", withExtension: nil)
    }

    /// Loads a split as images `[N, 784]` scaled to [0, 1] and labels.
    ///
    /// - Parameters:
    ///   - limit: load only the first `limit` examples (decompressing only what they need).
    ///   - directory: a folder with the four IDX files, raw or `.gz`; nil for the bundled copy.
    public static func load(split: Split, limit: Int? = nil, from directory: URL? = nil) throws -> Dataset {
        guard let directory = directory ?? bundledDirectory else {
            throw DatasetError.missingFile(path: "<bundled MNIST resource>")
        }
        let imageURL = try locate("\(split.stem)-images-idx3-ubyte", in: directory)
        let labelURL = try locate("\(split.stem)-labels-idx1-ubyte", in: directory)
        let images = try IDXFile(contentsOf: imageURL, expectedMagic: imageMagic, limit: limit)
        let labels = try IDXFile(contentsOf: labelURL, expectedMagic: labelMagic, limit: limit)
        guard Array(images.dimensions.dropFirst()) == [side, side] else {
            throw DatasetError.shapeMismatch(path: imageURL.path, expected: [side, side],
                                             actual: Array(images.dimensions.dropFirst()))
        }
        let count = images.dimensions[0]
        guard labels.dimensions[0] == count else {
            throw DatasetError.countMismatch(path: labelURL.path, expected: count, actual: labels.dimensions[0])
        }
        let expected = min(split.size, limit ?? split.size)
        guard count == expected else {
            throw DatasetError.countMismatch(path: imageURL.path, expected: expected, actual: count)
        }
        if let bad = labels.bytes.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError.badLabel(path: labelURL.path, item: bad, label: Int(labels.bytes[bad]), classes: classes)
        }
        var pixels = [Float](repeating: 0, count: count * pixels)
        images.bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                // Divide rather than multiply by 1/255 so that 255 maps to exactly 1 (as torchvision does).
                for i in dst.indices { dst[i] = Float(src[i]) / 255 }
            }
        }
        return Dataset(inputs: Tensor(shape: [count, self.pixels], data: pixels), labels: labels.bytes)
    }

    /// The file `name`, or `name.gz`, in `directory`.
    static func locate(_ name: String, in directory: URL) throws -> URL {
        let raw = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: raw.path) { return raw }
        let gz = directory.appendingPathComponent(name + ".gz")
        if FileManager.default.fileExists(atPath: gz.path) { return gz }
        throw DatasetError.missingFile(path: raw.path)
    }
}
