using System.Diagnostics;
using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using Xunit.Abstractions;

namespace RnnGraph.Onnx.Tests.Fuzz;

/// <summary>
/// A CI-sized seeded fuzz run over ONNX models: every golden model is mutated at the byte level (what a damaged
/// or hostile file looks like to the parser) and at the message level (dimensions, attributes, wiring and operator
/// types changed in a model that still parses, which is what reaches the operators), then read and run on its case's
/// inputs. Each mutant must end in outputs or an <see cref="OnnxException"/> — never another exception — within a
/// time bound. RNNGRAPH_FUZZ_SCALE multiplies the counts (tests/fuzz/run-long.sh); the seeds are fixed.
/// </summary>
public sealed class OnnxFuzzTests(ITestOutputHelper log)
{
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("RNNGRAPH_FUZZ_SCALE"), out int scale) && scale > 1 ? scale : 1;

    private static readonly int ByteMutantsPerModel = 40 * Scale;
    private static readonly int MessageMutantsPerModel = 60 * Scale;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Smaller than the default so a mutant that asks for a huge tensor is refused quickly and cheaply.</summary>
    private static readonly OnnxLimits Limits = new() { MaxElements = 1 << 22 };

    public static TheoryData<string> Cases() => OnnxGoldenTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mutated_bytes_run_or_are_refused_with_an_onnx_error(string name)
    {
        var (bytes, inputs) = Load(name);
        int seed = name.Aggregate(23, (h, c) => unchecked(h * 31 + c));
        var counts = new int[2];
        for (int i = 0; i < ByteMutantsPerModel; i++)
        {
            var random = new Random(seed + i);
            counts[Run(MutateBytes(bytes, random), inputs, $"{name} byte case {i}")]++;
        }
        log.WriteLine($"{name}: {ByteMutantsPerModel} byte mutants: {counts[0]} ran, {counts[1]} refused");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mutated_messages_run_or_are_refused_with_an_onnx_error(string name)
    {
        var (bytes, inputs) = Load(name);
        int seed = name.Aggregate(29, (h, c) => unchecked(h * 37 + c));
        var counts = new int[2];
        for (int i = 0; i < MessageMutantsPerModel; i++)
        {
            var random = new Random(seed + i);
            var model = ModelProto.Parser.ParseFrom(bytes);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++) MutateMessage(model, random);
            counts[Run(model.ToByteArray(), inputs, $"{name} message case {i}")]++;
        }
        log.WriteLine($"{name}: {MessageMutantsPerModel} message mutants: {counts[0]} ran, {counts[1]} refused");
    }

    private static (byte[] bytes, Dictionary<string, TensorValue> inputs) Load(string name)
    {
        string folder = Path.Combine(OnnxGoldenTests.Folder, name);
        return (File.ReadAllBytes(Path.Combine(folder, "model.onnx")), SafeTensors.Read(Path.Combine(folder, "inputs.safetensors")));
    }

    /// <summary>0 when the mutant ran, 1 when it was refused; fails the test on any other ending.</summary>
    private static int Run(byte[] bytes, Dictionary<string, TensorValue> inputs, string label)
    {
        var watch = Stopwatch.StartNew();
        int result;
        try
        {
            var model = OnnxModelReader.Parse(bytes, "fuzz.onnx", limits: Limits);
            OnnxEvaluator.Evaluate(model, inputs, Limits);
            result = 0;
        }
        catch (OnnxException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), label);
            Assert.DoesNotContain('\n', e.Message);
            result = 1;
        }
        catch (Exception e)
        {
            Assert.Fail($"{label}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            throw;
        }
        Assert.True(watch.Elapsed < Bound, $"{label} took {watch.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    private static byte[] MutateBytes(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.Insert(at, (byte)random.Next(256)); break;
                default:
                    // A varint grown to its widest form: lengths and tags far beyond the message.
                    bytes[at] = 0xff;
                    if (at + 1 < bytes.Count) bytes[at + 1] = 0xff;
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static readonly string[] OpTypes = ["Relu", "Tanh", "Add", "MatMul", "Gemm", "Gather", "Concat", "Slice", "Squeeze", "Unsqueeze",
        "Transpose", "Reshape", "Shape", "ConstantOfShape", "Expand", "Softmax", "LogSoftmax", "Split", "LSTM", "GRU", "RNN", "Tile", "Range", "Where", "ReduceSum", "ArgMax", "Cast", "Einsum"];

    private static readonly long[] Interesting = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 1 << 20, int.MaxValue, long.MinValue, long.MaxValue];

    /// <summary>One change to a model that still parses: what a producer's bug or an attacker could put in a file.</summary>
    private static void MutateMessage(ModelProto model, Random random)
    {
        var graph = model.Graph;
        switch (random.Next(9))
        {
            case 0 when graph.Initializer.Count > 0:
                {
                    // An initializer's dimension changed: data and shape disagree, or shapes between operators do.
                    var t = graph.Initializer[random.Next(graph.Initializer.Count)];
                    if (t.Dims.Count > 0) t.Dims[random.Next(t.Dims.Count)] = Pick(random);
                    else t.Dims.Add(Pick(random));
                    break;
                }
            case 1 when graph.Node.Count > 0:
                {
                    var node = graph.Node[random.Next(graph.Node.Count)];
                    if (node.Attribute.Count == 0) { node.Attribute.Add(new AttributeProto { Name = "axis", I = Pick(random), Type = AttributeProto.Types.AttributeType.Int }); break; }
                    var a = node.Attribute[random.Next(node.Attribute.Count)];
                    a.I = Pick(random);
                    a.F = (float)(random.NextDouble() * 20 - 10);
                    if (a.Ints.Count > 0) a.Ints[random.Next(a.Ints.Count)] = Pick(random);
                    if (a.Floats.Count > 0) a.Floats.RemoveAt(random.Next(a.Floats.Count));
                    if (a.Strings.Count > 0) a.Strings[random.Next(a.Strings.Count)] = ByteString.CopyFromUtf8(random.Next(2) == 0 ? "Tanh" : "Gelu");
                    if (a.HasS) a.S = ByteString.CopyFromUtf8(new[] { "forward", "reverse", "bidirectional", "sideways", "" }[random.Next(5)]);
                    break;
                }
            case 2 when graph.Node.Count > 0:
                graph.Node[random.Next(graph.Node.Count)].OpType = OpTypes[random.Next(OpTypes.Length)];
                break;
            case 3 when graph.Node.Count > 1:
                {
                    // Wiring: an input replaced by another value of the graph (possibly one defined later), or dropped.
                    var node = graph.Node[random.Next(graph.Node.Count)];
                    var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).ToList();
                    if (node.Input.Count == 0) break;
                    int k = random.Next(node.Input.Count);
                    node.Input[k] = random.Next(4) == 0 ? "" : names[random.Next(names.Count)];
                    break;
                }
            case 4 when graph.Node.Count > 0:
                graph.Node.RemoveAt(random.Next(graph.Node.Count));
                break;
            case 5 when graph.Node.Count > 0:
                {
                    var node = graph.Node[random.Next(graph.Node.Count)];
                    node.Attribute.Add(new AttributeProto
                    {
                        Name = new[] { "hidden_size", "layout", "linear_before_reset", "input_forget", "clip", "direction", "axes", "perm", "keepdims", "transB" }[random.Next(10)],
                        I = Pick(random),
                        F = (float)(random.NextDouble() * 4 - 1),
                    });
                    break;
                }
            case 6 when graph.Initializer.Count > 0:
                {
                    // Element type changed under the same bytes.
                    var t = graph.Initializer[random.Next(graph.Initializer.Count)];
                    t.DataType = new[] { 1, 6, 7, 9, 10, 11, 8, 0, 99 }[random.Next(9)];
                    break;
                }
            case 7:
                if (model.OpsetImport.Count > 0) model.OpsetImport[0].Version = new long[] { 7, 9, 11, 13, 14, 18, 21 }[random.Next(7)];
                break;
            default:
                if (graph.Node.Count > 1)
                {
                    int i = random.Next(graph.Node.Count), j = random.Next(graph.Node.Count);
                    (graph.Node[i], graph.Node[j]) = (graph.Node[j].Clone(), graph.Node[i].Clone());
                }
                break;
        }
    }

    private static long Pick(Random random) => random.Next(3) == 0 ? Interesting[random.Next(Interesting.Length)] : random.Next(-2, 9);
}
