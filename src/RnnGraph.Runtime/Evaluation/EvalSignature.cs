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

    /// <summary>The input fed step by step with <see cref="InputLayout"/>: the model's input, or one-to-many's feedback; null for one-to-one.</summary>
    public string? SequenceInput { get; private init; }

    /// <summary>Inputs fed whole (index -1): one-to-one's input [B,I], one-to-many's condition [B,C].</summary>
    public HashSet<string> WholeInputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Encoder-decoder: the decoder's steps (from <c>decoder_input</c>); <see cref="Steps"/> are then the source's. 0 otherwise.</summary>
    public int TargetSteps { get; private set; }

    /// <summary>Encoder-decoder given <c>teacher</c>: the graph picks each step's token (reference or previous argmax).</summary>
    public bool SampledTeacherForcing { get; private set; }

    /// <summary>Encoder-decoder: inputs of one [B] slice per decoder step (<c>decoder_input</c>, <c>teacher</c>) with their layouts.</summary>
    public Dictionary<string, SequenceLayout> DecoderInputs { get; } = new(StringComparer.Ordinal);

    /// <param name="allowConditionedStates">
    /// Internal (step-by-step sampling): lets initial states of the layer a <c>condition: state</c> sets be given, replacing the condition's.
    /// </param>
    public static EvalSignature Create<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs, bool allowConditionedStates = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = model.Input;
        var known = new HashSet<string>(StringComparer.Ordinal) { input.Name, LengthsName };
        EvalSignature signature;
        if (model.OneToOne)
        {
            signature = OneToOne(model, inputs);
            known.Remove(LengthsName);
        }
        else if (model.OneToMany)
        {
            signature = OneToMany(model, inputs);
            known.Add(ModelNames.Feedback);
        }
        else if (model.IsEncoderDecoder)
        {
            signature = EncoderDecoder(model, inputs);
            known.Add(EncoderDecoderNames.DecoderInput);
            known.Add(EncoderDecoderNames.Teacher);
        }
        else signature = ManyToMany(model, inputs);
        return signature.Complete(model, inputs, known, allowConditionedStates);
    }

    /// <summary>Many-to-many and many-to-one (and an encoder-decoder's source): <c>x</c> [T,B] ids or [T,B,I] ([B,T,...] batch-first), optional lengths.</summary>
    private static EvalSignature ManyToMany<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs)
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
            SequenceInput = input.Name,
            Lengths = inputs.TryGetValue(LengthsName, out var lengths) ? CheckLengths(lengths, steps, batch) : null,
        };
        if (!input.IsTokens) signature.SequenceOutputs["grad." + input.Name] = signature.InputLayout;
        return signature;
    }

    /// <summary>
    /// Encoder-decoder: the source <c>x</c> and its lengths as for many-to-many; <c>decoder_input</c> [T,B] ([B,T] batch-first), the
    /// token each decoder step reads, in [0,V); optional <c>teacher</c> of the same shape, 1 (the reference) or 0 (the previous argmax).
    /// </summary>
    private static EvalSignature EncoderDecoder<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var signature = ManyToMany(model, inputs);
        int vocab = model.EncoderDecoder!.TargetVocab, batch = signature.Batch;
        string name = EncoderDecoderNames.DecoderInput, teacherName = EncoderDecoderNames.Teacher;
        string expected = (model.BatchFirst ? "[B,T]" : "[T,B]") + $" token ids in [0,{vocab})";
        if (!inputs.TryGetValue(name, out var tokens))
            throw new EvalException($"inputs: missing tensor '{name}' of shape {expected}: the token each decoder step reads (<bos>, then the reference)");
        int targetSteps = tokens.Shape.Length == 2 ? tokens.Shape[model.BatchFirst ? 1 : 0] : 0;
        if (tokens.Shape.Length != 2 || targetSteps < 1 || tokens.Shape[model.BatchFirst ? 0 : 1] != batch)
            throw new EvalException($"inputs: tensor '{name}' has shape {tokens.ShapeText} but the spec needs {expected} with T >= 1 and the source's B={batch}");
        CheckWhole(tokens, name, T.CreateChecked(vocab), $"every decoder input must be a whole number in [0,{vocab})");
        var layout = new SequenceLayout(targetSteps, batch, 0, model.BatchFirst);
        signature.TargetSteps = targetSteps;
        signature.DecoderInputs[name] = layout;
        if (inputs.TryGetValue(teacherName, out var teacher))
        {
            Expect(teacher, teacherName, layout.Shape);
            CheckWhole(teacher, teacherName, T.CreateChecked(2), "every teacher choice must be 1 (the reference token) or 0 (the previous step's argmax)");
            signature.SampledTeacherForcing = true;
            signature.DecoderInputs[teacherName] = layout;
        }
        return signature;
    }

    /// <summary>Refuses any value of <paramref name="tensor"/> that is not a whole number in [0, <paramref name="end"/>).</summary>
    private static void CheckWhole<T>(HostArray<T> tensor, string name, T end, string rule) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < tensor.Data.Length; i++)
        {
            T v = tensor.Data[i];
            if (v < T.Zero || v >= end || T.Truncate(v) != v)
                throw new EvalException($"inputs: {name} holds {v} at flat index {i} but {rule}");
        }
    }

    /// <summary>One-to-one: <c>x</c> [B,I] (or [B] token ids), one step, no lengths.</summary>
    private static EvalSignature OneToOne<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = model.Input;
        string expected = input.IsTokens ? "[B] token ids" : $"[B,{input.Size}]";
        if (!inputs.TryGetValue(input.Name, out var x))
            throw new EvalException($"inputs: missing tensor '{input.Name}' of shape {expected} (a one-to-one model has no time axis)");
        if (x.Shape.Length != (input.IsTokens ? 1 : 2) || (!input.IsTokens && x.Shape[1] != input.Size) || x.Shape[0] < 1)
            throw new EvalException($"inputs: tensor '{input.Name}' has shape {x.ShapeText} but the one-to-one spec needs {expected} with B >= 1 (no time axis)");
        if (inputs.ContainsKey(LengthsName))
            throw new EvalException($"inputs: unexpected tensor '{LengthsName}': a one-to-one model runs one step per example, so there are no lengths; remove it");
        int batch = x.Shape[0];
        var signature = new EvalSignature
        {
            Steps = 1,
            Batch = batch,
            InputLayout = new SequenceLayout(1, batch, input.IsTokens ? 0 : input.Size, false),
        };
        signature.WholeInputs.Add(input.Name);
        return signature;
    }

    /// <summary>One-to-many: the condition <c>x</c> [B,C] and the fed-back tokens <c>feedback</c> [T,B] ([B,T] batch-first) in [0,O).</summary>
    private static EvalSignature OneToMany<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = model.Input;
        string feedback = ModelNames.Feedback;
        string expectedFeedback = (model.BatchFirst ? "[B,T]" : "[T,B]") + $" token ids in [0,{model.FeedbackVocab})";
        if (!inputs.TryGetValue(input.Name, out var c))
            throw new EvalException($"inputs: missing tensor '{input.Name}' of shape [B,{input.Size}] (the condition of a one-to-many model)");
        if (c.Shape.Length != 2 || c.Shape[1] != input.Size || c.Shape[0] < 1)
            throw new EvalException($"inputs: tensor '{input.Name}' has shape {c.ShapeText} but the one-to-many spec needs [B,{input.Size}] with B >= 1 (one vector per sequence)");
        if (!inputs.TryGetValue(feedback, out var f))
            throw new EvalException($"inputs: missing tensor '{feedback}' of shape {expectedFeedback}: the token fed to each step (<bos>, then the previous output's)");
        if (f.Shape.Length != 2 || f.Shape.Any(d => d < 1))
            throw new EvalException($"inputs: tensor '{feedback}' has shape {f.ShapeText} but the spec needs {expectedFeedback} with T, B >= 1");
        int steps = model.BatchFirst ? f.Shape[1] : f.Shape[0];
        int batch = model.BatchFirst ? f.Shape[0] : f.Shape[1];
        if (c.Shape[0] != batch)
            throw new EvalException($"inputs: tensor '{input.Name}' has shape {c.ShapeText} but '{feedback}' has B={batch}, so it must be [{batch},{input.Size}]");
        for (int i = 0; i < f.Data.Length; i++)
        {
            T v = f.Data[i];
            if (v < T.Zero || v >= T.CreateChecked(model.FeedbackVocab) || T.Truncate(v) != v)
                throw new EvalException($"inputs: {feedback} holds {v} at flat index {i} but every fed-back token must be a whole number in [0,{model.FeedbackVocab})");
        }
        var signature = new EvalSignature
        {
            Steps = steps,
            Batch = batch,
            InputLayout = new SequenceLayout(steps, batch, 0, model.BatchFirst),
            SequenceInput = feedback,
            Lengths = inputs.TryGetValue(LengthsName, out var lengths) ? CheckLengths(lengths, steps, batch) : null,
        };
        signature.WholeInputs.Add(input.Name);
        return signature;
    }

    private EvalSignature Complete<T>(BoundModel model, IReadOnlyDictionary<string, HostArray<T>> inputs, HashSet<string> known, bool allowConditionedStates)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var signature = this;
        int steps = Steps, batch = Batch;
        int outputSize = model.Layers[^1].OutputSize;
        // An encoder-decoder's y has one vector per decoder step.
        var yLayout = new SequenceLayout(model.IsEncoderDecoder ? TargetSteps : steps, batch, outputSize, model.BatchFirst);
        // Many-to-one and one-to-one: y is one [B,O] vector per example, not a sequence.
        bool single = model.OneOutputPerExample;
        int[] yShape = single ? [batch, outputSize] : yLayout.Shape;
        if (!single) signature.SequenceOutputs[ModelNames.Output] = yLayout;
        known.Add("d" + ModelNames.Output);
        if (inputs.TryGetValue("d" + ModelNames.Output, out var dy))
        {
            Expect(dy, "d" + ModelNames.Output, yShape);
            signature.Seeds.Add(ModelNames.Output);
            if (single) signature.WholeSeeds.Add("d" + ModelNames.Output);
            else signature.SequenceSeeds["d" + ModelNames.Output] = yLayout;
        }

        // An encoder-decoder's states are internal: the encoder starts from zeros and the bridge sets the decoder's.
        foreach (var layer in model.IsEncoderDecoder ? [] : model.RnnLayers)
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
                    if (layer == model.ConditionedLayer && !allowConditionedStates)
                        throw new EvalException($"inputs: unexpected tensor '{initial}': with 'condition: state' the condition sets the initial states of layer '{layer.Name}'; remove it");
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
