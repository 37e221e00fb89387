import XCTest
@testable import ELBORuntime

final class TensorTests: XCTestCase {
    func testShapeIndexingAndReshape() {
        var t = Tensor(zeros: [2, 3])
        t[1, 2] = 5
        XCTAssertEqual(t.data, [0, 0, 0, 0, 0, 5])
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertEqual(t.rowLength, 3)
        let r = t.reshaped([3, 2])
        XCTAssertEqual(r[2, 1], 5)
        XCTAssertEqual(r.shape, [3, 2])
    }

    func testRowsGatherAndConcatenate() {
        let t = Tensor(shape: [4, 2], data: [0, 1, 10, 11, 20, 21, 30, 31])
        XCTAssertEqual(t.rows(1..<3).data, [10, 11, 20, 21])
        XCTAssertEqual(t.gatheringRows([3, 0, 3]).data, [30, 31, 0, 1, 30, 31])
        XCTAssertEqual(t.gatheringRows([3, 0, 3]).shape, [3, 2])
        XCTAssertEqual(t.row(2), [20, 21])
        XCTAssertEqual(Tensor.concatenatingRows([t.rows(0..<1), t.rows(3..<4)]).data, [0, 1, 30, 31])
    }

    func testColumnSplitAndJoin() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.columns(0..<1).data, [1, 4])
        XCTAssertEqual(t.columns(1..<3).data, [2, 3, 5, 6])
        XCTAssertEqual(t.columns(1..<3).shape, [2, 2])
        let joined = Tensor.concatenatingColumns([t.columns(1..<3), t.columns(0..<1)])
        XCTAssertEqual(joined.data, [2, 3, 1, 5, 6, 4])
        XCTAssertEqual(Tensor.concatenatingColumns([t.columns(0..<1), t.columns(1..<3)]), t)
    }

    func testElementwiseArithmeticAndReductions() {
        let a = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], data: [10, 20, 30, 40])
        XCTAssertEqual((a + b).data, [11, 22, 33, 44])
        XCTAssertEqual((b - a).data, [9, 18, 27, 36])
        XCTAssertEqual((a * b).data, [10, 40, 90, 160])
        XCTAssertEqual((a * 2).data, [2, 4, 6, 8])
        var c = a
        c.add(b, scaledBy: 0.5)
        XCTAssertEqual(c.data, [6, 12, 18, 24])
        c.addToEachRow(Tensor(shape: [2], data: [1, -1]))
        XCTAssertEqual(c.data, [7, 11, 19, 23])
        XCTAssertEqual(a.sumOverRows().data, [4, 6])
        XCTAssertEqual(a.sum(), 10)
        XCTAssertEqual(a.mean(), 2.5)
        XCTAssertEqual((a * -3).maxAbs(), 12)
        c.zero()
        XCTAssertEqual(c.data, [0, 0, 0, 0])
    }

    func testIsFiniteFindsNaNAndInfinityAnywhere() {
        for count in [1, 7, 8, 9, 33] {
            for position in [0, count / 2, count - 1] {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var t = Tensor(shape: [count], repeating: 3e38)
                    XCTAssertTrue(t.isFinite)
                    t.data[position] = bad
                    XCTAssertFalse(t.isFinite, "\(bad) at \(position) of \(count)")
                }
            }
        }
    }
}
