using System.Numerics;
using RnnGraph.Compiler.Binding;

namespace RnnGraph.Runtime.Evaluation;

/// <summary>
/// What an eval run's inputs mean for a bound model: sequence length and batch (from <c>x</c>), which
/// initial states and upstream gradients are present, and the layouts of every sequence tensor.
/// Every mismatch is an <see cref="EvalException"/> naming the tensor, its shape and the expected one.
/// </summary>
internal sealed class EvalSignature
{
    public int Steps { get; private init; }
    public int Batch { get; private init; }
    public SequenceLayout InputLayout { get; private init; }
    public HashSet<string> GivenInitialStates { get; } = new(StringComparer.Ordinal);

    /// <summary>Each sequence's length when the inputs give <c>lengths</c> [B]; null when all run T steps.</summary>
    public int[]? Lengths { get; private init; }

    /// <summary>Forward output names that receive an upstream gradient (e.g. "y", "h_n").</summary>
    public HashSet<string> Seeds { get; } = new(StringComparer.Ordinal);

    /// <summary>Inputs stacked over layers and directions, [K,B,H]: name → K.</summary>
    public Dictionary<string, int> StackedInputs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SequenceLayout> SequenceSeeds { get; } = new(StringComparer.Ordinal);

    /// <summary>Upstream gradients fed whole (index -1), e.g. <c>dy</c> of a many-to-one model.</summary>
    public HashSet<string> WholeSeeds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SequenceLayout> SequenceOutputs { get; } = new(StringComparer.Ordinal);

    public static EvalSignature Create<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = model.Input;
        string expectedX = input.IsTokens
            ? (model.BatchFirst ? "[B,T]" : "[T,B]") + " token ids"
            : (model.BatchFirst ? "[B,T," : "[T,B,") + input.Size + "]";
        if (!inputs.TryGetValue(input.Name, out var x))
            throw new EvalException($"inputs: missing tensor '{input.Name}' of shape {expectedX}");
        int rank = input.IsTokens ? 2 : 3;
        if (x.Shape.Length != rank || (!input.IsTokens && x.Shape[2] != input.Size) || x.Shape.Take(2).Any(d => d < 1))
            throw new EvalException($"inputs: tensor '{input.Name}' has shape {x.ShapeText} but the spec needs {expectedX} with T, B >= 1");

        int steps = model.BatchFirst ? x.Shape[1] : x.Shape[0];
        int batch = model.BatchFirst ? x.Shape[0] : x.Shape[1];
        var signature = new EvalSignature
        {
            Steps = steps,
            Batch = batch,
            InputLayout = new SequenceLayout(steps, batch, input.IsTokens ? 0 : input.Size, model.BatchFirst),
            Lengths = inputs.TryGetValue(LengthsName, out var lengths) ? CheckLengths(lengths, steps, batch) : null,
        };
        var known = new HashSet<string>(StringComparer.Ordinal) { input.Name, LengthsName };

        int outputSize = model.Layers[^1].OutputSize;
        var yLayout = new SequenceLayout(steps, batch, outputSize, model.BatchFirst);
        // Many-to-one: y is one [B,O] vector per sequence, not a sequence.
        int[] yShape = model.ManyToOne ? [batch, outputSize] : yLayout.Shape;
        if (!model.ManyToOne) signature.SequenceOutputs[ModelNames.Output] = yLayout;
        if (!input.IsTokens) signature.SequenceOutputs["grad." + input.Name] = signature.InputLayout;
        known.Add("d" + ModelNames.Output);
        if (inputs.TryGetValue("d" + ModelNames.Output, out var dy))
        {
            Expect(dy, "d" + ModelNames.Output, yShape);
            signature.Seeds.Add(ModelNames.Output);
            if (model.ManyToOne) signature.WholeSeeds.Add("d" + ModelNames.Output);
            else signature.SequenceSeeds["d" + ModelNames.Output] = yLayout;
        }

        foreach (var layer in model.RnnLayers)
        {
            int k = layer.NumLayers * layer.Directions;
            int[] stacked = [k, batch, layer.Hidden];
            for (int s = 0; s < layer.States.Count; s++)
            {
                string initial = ModelNames.InitialState(model, layer, s);
                string final = ModelNames.FinalState(model, layer, s);
                known.Add(initial);
                known.Add("d" + final);
                if (inputs.TryGetValue(initial, out var h0))
                {
                    Expect(h0, initial, stacked);
                    signature.GivenInitialStates.Add(initial);
                    signature.StackedInputs[initial] = k;
                }
                if (inputs.TryGetValue("d" + final, out var seed))
                {
                    Expect(seed, "d" + final, stacked);
                    signature.Seeds.Add(final);
                    signature.StackedInputs["d" + final] = k;
                }
            }
        }
        foreach (var name in inputs.Keys.Order(StringComparer.Ordinal))
        {
            if (!known.Contains(name))
                throw new EvalException($"inputs: unexpected tensor '{name}'; this spec takes {string.Join(", ", known)}");
        }
        return signature;
    }

    /// <summary>The optional per-sequence lengths input (I32 or I64 [B]) of the eval CONTRACT.</summary>
    public const string LengthsName = "lengths";

    private static int[] CheckLengths<T>(HostArray<T> lengths, int steps, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Expect(lengths, LengthsName, [batch]);
        var values = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            T v = lengths.Data[b];
            if (v < T.One || v > T.CreateChecked(steps) || T.Truncate(v) != v)
                throw new EvalException($"inputs: lengths[{b}] is {v} but every length must be a whole number from 1 to T={steps}");
            values[b] = int.CreateChecked(v);
        }
        return values;
    }

    private static void Expect<T>(HostArray<T> tensor, string name, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!tensor.Shape.SequenceEqual(shape))
            throw new EvalException($"inputs: tensor '{name}' has shape {tensor.ShapeText} but must be [{string.Join(",", shape)}]");
    }
}
