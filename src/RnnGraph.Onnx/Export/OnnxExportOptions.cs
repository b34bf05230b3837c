namespace RnnGraph.Onnx.Export;

/// <summary>
/// How to export: the default-domain operator set, the fixed number of steps a model with custom cells is
/// unrolled over (null for models of built-in cells, whose sequence length stays dynamic), and whether the
/// initial states become graph inputs (<c>h0</c>, <c>c0</c>, ...) instead of zeros.
/// </summary>
public sealed record OnnxExportOptions(int Opset = OnnxExporter.DefaultOpset, int? Steps = null, bool InitialStates = false);
