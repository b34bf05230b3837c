using System.Text.Json;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.IO;

/// <summary>Reads the PyTorch golden files (tests/golden/rnn, written by scripts/golden/generate_rnn_golden.py in Python).</summary>
public sealed class GoldenFileTests
{
    private static readonly string GoldenRoot = Path.Combine(RepoPaths.Golden, "rnn");

    [Fact]
    public void Python_written_weights_read_with_the_values_python_wrote()
    {
        var weights = SafeTensors.Read(Path.Combine(GoldenRoot, "lstm_T1", "weights.safetensors"), out var metadata);
        var weightIh = weights["rnn.weight_ih_l0"];
        Assert.Equal(DType.F32, weightIh.DType);
        Assert.Equal([8, 5], weightIh.Shape);
        // Printed by numpy from the file: element [1,2] has bits 0x3f237d1a (0.6386276483535767).
        Assert.Equal(BitConverter.Int32BitsToSingle(0x3f237d1a), weightIh.ToFloatArray()[1 * 5 + 2]);
        Assert.Equal("scripts/golden/generate_rnn_golden.py", metadata["generator"]);
    }

    /// <summary>
    /// One LSTM step recomputed here in double from the F32 weights and inputs must match the F64
    /// references: checks names, shapes and layout of all three files at once.
    /// </summary>
    [Fact]
    public void Python_written_lstm_step_agrees_with_a_recomputation()
    {
        string dir = Path.Combine(GoldenRoot, "lstm_T1");
        var w = SafeTensors.Read(Path.Combine(dir, "weights.safetensors"));
        var inputs = SafeTensors.Read(Path.Combine(dir, "inputs.safetensors"));
        var expected = SafeTensors.Read(Path.Combine(dir, "expected.safetensors"));
        Assert.Equal(DType.F64, expected["h_n"].DType);

        double[] wih = w["rnn.weight_ih_l0"].ToDoubleArray(), whh = w["rnn.weight_hh_l0"].ToDoubleArray();
        double[] bih = w["rnn.bias_ih_l0"].ToDoubleArray(), bhh = w["rnn.bias_hh_l0"].ToDoubleArray();
        double[] x = inputs["x"].ToDoubleArray(), h0 = inputs["h0"].ToDoubleArray(), c0 = inputs["c0"].ToDoubleArray();
        int hidden = w["rnn.weight_hh_l0"].Shape[1], input = w["rnn.weight_ih_l0"].Shape[1];
        Assert.Equal([1, 1, input], inputs["x"].Shape);

        var gates = new double[4 * hidden];
        for (int r = 0; r < 4 * hidden; r++)
        {
            gates[r] = bih[r] + bhh[r];
            for (int k = 0; k < input; k++) gates[r] += wih[r * input + k] * x[k];
            for (int k = 0; k < hidden; k++) gates[r] += whh[r * hidden + k] * h0[k];
        }
        double[] hN = expected["h_n"].ToDoubleArray(), cN = expected["c_n"].ToDoubleArray(), y = expected["y"].ToDoubleArray();
        for (int j = 0; j < hidden; j++)
        {
            // PyTorch gate order i, f, g, o.
            double i = Sigmoid(gates[j]), f = Sigmoid(gates[hidden + j]), g = Math.Tanh(gates[2 * hidden + j]), o = Sigmoid(gates[3 * hidden + j]);
            double c = f * c0[j] + i * g;
            double h = o * Math.Tanh(c);
            Assert.Equal(c, cN[j], 1e-12);
            Assert.Equal(h, hN[j], 1e-12);
            Assert.Equal(h, y[j], 1e-12);
        }
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Python's writer follows the same layout rules, so reading and rewriting every golden file reproduces it byte for byte.</summary>
    [Fact]
    public void Every_golden_file_reads_and_rewrites_byte_identically()
    {
        var files = Directory.GetFiles(GoldenRoot, "*.safetensors", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var tensors = SafeTensors.ReadBytes(bytes, out var metadata, file);
            Assert.True(bytes.AsSpan().SequenceEqual(SafeTensors.WriteBytes(tensors, metadata)), file);
        }
    }

    [Fact]
    public void Manifest_lists_each_case_directory_with_its_expected_tensors()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenRoot, "manifest.json")));
        var cases = manifest.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(
            Directory.GetDirectories(GoldenRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            cases.Select(c => c.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        foreach (var entry in cases)
        {
            string name = entry.GetProperty("name").GetString()!;
            var expected = SafeTensors.Read(Path.Combine(GoldenRoot, name, "expected.safetensors"));
            Assert.Equal(
                entry.GetProperty("expected").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal),
                expected.Keys.Order(StringComparer.Ordinal));
        }
    }
}
