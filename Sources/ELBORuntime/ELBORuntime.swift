/// The numeric runtime: tensors, GEMM, layers, Adam, data, training.
public enum ELBORuntimeInfo {}
