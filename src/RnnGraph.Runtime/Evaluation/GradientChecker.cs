using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;

namespace RnnGraph.Runtime.Evaluation;

/// <summary>Settings of a whole-model finite-difference check (float64, central differences).</summary>
/// <param name="Steps">The unrolled steps; an encoder-decoder's source steps.</param>
public sealed record GradientCheckOptions(int Steps = 4, int Batch = 2, int Seed = 1234, int MaxElementsPerTensor = 48,
                                          double Epsilon = 1e-5, double Tolerance = 1e-5)
{
    /// <summary>Encoder-decoder: the decoder's steps; null for as many as <see cref="Steps"/>.</summary>
    public int? TargetSteps { get; init; }

    /// <summary>
    /// Encoder-decoder: when set, the graph of sampled teacher forcing, each <c>teacher[t]</c> entry 1 with this probability (the
    /// reference token), else 0 (the previous step's argmax). Central differences then hold only while no perturbation flips an argmax.
    /// </summary>
    public double? TeacherForcing { get; init; }

    /// <summary>The decoder's steps an encoder-decoder check unrolls.</summary>
    public int DecoderSteps => TargetSteps ?? Steps;
}

/// <summary>The result for one gradient tensor: how many elements were compared and the worst errors.</summary>
public sealed record GradientCheckEntry(string Name, int Checked, int Total, double WorstRelativeError, double WorstAbsoluteError);

/// <param name="ArgmaxFlips">
/// Sampled teacher forcing: how many perturbed runs fed a step another argmax than the unperturbed run (the loss then jumps, so
/// central differences are meaningless there); a check with any fails.
/// </param>
public sealed record GradientCheckReport(IReadOnlyList<GradientCheckEntry> Entries, double Tolerance, int ArgmaxFlips = 0)
{
    public double WorstRelativeError => Entries.Count == 0 ? 0 : Entries.Max(e => e.WorstRelativeError);
    public bool Passed => WorstRelativeError <= Tolerance && ArgmaxFlips == 0;
}

/// <summary>
/// Compares the compiled backward graph with central differences of the scalar
/// <c>L = sum(y*dy) + sum(h_n*dh_n) + ...</c> over random weights, inputs, initial states and upstream
/// gradients, in float64. The relative error of an element is |analytic - numeric| / max(|analytic|, |numeric|, 1e-3),
/// so gradients near zero are judged by their absolute error. An encoder-decoder gets random source ids of uneven lengths
/// (masked: the packed encoder and the masked attention), random decoder inputs and an upstream gradient for every <c>y[t]</c>;
/// token ids, lengths and teacher choices get no differences.
/// </summary>
public static class GradientChecker
{
    public static GradientCheckReport Run(Compilation compilation, GradientCheckOptions options)
    {
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        var rng = new Random(options.Seed);
        var weights = model.Parameters.ToDictionary(p => p.Name, p => Random(rng, p.Dims, 0.6));
        var (forwardInputs, seeds) = RandomInputs(model, options, rng);

        var allInputs = new Dictionary<string, HostArray<double>>(forwardInputs);
        foreach (var (name, seed) in seeds) allInputs[name] = seed;
        var analytic = ModelEvaluator<double>.Evaluate(compilation, weights, allInputs);

        var forward = new ModelEvaluator<double>(compilation, weights, forwardInputs);
        var teacher = forwardInputs.GetValueOrDefault(EncoderDecoderNames.Teacher);
        int[]? fedArgmaxes = null;
        int flips = 0;
        double Loss()
        {
            var outputs = forward.Run();
            if (teacher is not null)
            {
                var fed = FedArgmaxes(model.BatchFirst, outputs[ModelNames.Output], teacher);
                if (fedArgmaxes is null) fedArgmaxes = fed;
                else if (!fed.AsSpan().SequenceEqual(fedArgmaxes)) flips++;
            }
            double loss = 0;
            foreach (var (name, seed) in seeds)
            {
                var o = outputs[name[1..]].Data;
                for (int i = 0; i < o.Length; i++) loss += o[i] * seed.Data[i];
            }
            return loss;
        }

        Loss();                                     // the unperturbed run: the argmaxes every perturbed one must feed too
        var entries = new List<GradientCheckEntry>();
        foreach (var (name, w) in weights.OrderBy(p => p.Key, StringComparer.Ordinal))
            entries.Add(Compare("grad." + name, analytic, w.Data, options, rng, () => forward.SetWeight(name, w.Data), Loss));
        foreach (var (name, x) in forwardInputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsDifferentiable(model, name)) continue;
            entries.Add(Compare("grad." + name, analytic, x.Data, options, rng, () => forward.SetInputs(forwardInputs), Loss));
        }
        return new GradientCheckReport(entries, options.Tolerance, flips);
    }

    /// <summary>Per decoder step t ≥ 1 and example: the argmax of y[t-1] where teacher[t] is 0 (fed to step t), else -1.</summary>
    private static int[] FedArgmaxes(bool batchFirst, HostArray<double> y, HostArray<double> teacher)
    {
        int steps = teacher.Shape[batchFirst ? 1 : 0], batch = teacher.Shape[batchFirst ? 0 : 1], vocab = y.Shape[2];
        int At(int t, int b) => batchFirst ? b * steps + t : t * batch + b;
        var fed = new int[steps * batch];
        for (int t = 1; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                fed[At(t, b)] = -1;
                if (teacher.Data[At(t, b)] != 0) continue;
                var row = y.Data.AsSpan(At(t - 1, b) * vocab, vocab);
                int best = 0;
                for (int v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
                fed[At(t, b)] = best;
            }
        return fed;
    }

    /// <summary>Inputs of discrete values (token ids, lengths, teacher choices) have no gradient to check.</summary>
    private static bool IsDifferentiable(BoundModel model, string input) => input switch
    {
        _ when input == model.Input.Name => !model.Input.IsTokens,
        ModelNames.Feedback or EncoderDecoderNames.DecoderInput or EncoderDecoderNames.Teacher => false,
        EvalSignature.LengthsName => false,
        _ => true,
    };

    private static GradientCheckEntry Compare(string gradName, Dictionary<string, HostArray<double>> analytic, double[] values,
                                              GradientCheckOptions options, Random rng, Action apply, Func<double> loss)
    {
        if (!analytic.TryGetValue(gradName, out var grad)) throw new InvalidOperationException($"the backward graph has no output '{gradName}'");
        var indices = Enumerable.Range(0, values.Length).ToArray();
        if (indices.Length > options.MaxElementsPerTensor)
        {
            rng.Shuffle(indices);
            indices = indices.Take(options.MaxElementsPerTensor).Order().ToArray();
        }
        double worstRel = 0, worstAbs = 0;
        foreach (int i in indices)
        {
            double saved = values[i];
            values[i] = saved + options.Epsilon;
            apply();
            double plus = loss();
            values[i] = saved - options.Epsilon;
            apply();
            double minus = loss();
            values[i] = saved;
            apply();
            double numeric = (plus - minus) / (2 * options.Epsilon);
            double a = grad.Data[i];
            double abs = Math.Abs(a - numeric);
            worstAbs = Math.Max(worstAbs, abs);
            worstRel = Math.Max(worstRel, abs / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), 1e-3));
        }
        return new GradientCheckEntry(gradName, indices.Length, values.Length, worstRel, worstAbs);
    }

    private static (Dictionary<string, HostArray<double>> Forward, Dictionary<string, HostArray<double>> Seeds) RandomInputs(
        BoundModel model, GradientCheckOptions options, Random rng)
    {
        int T = options.Steps, B = options.Batch;
        var forward = new Dictionary<string, HostArray<double>>(StringComparer.Ordinal);
        var seeds = new Dictionary<string, HostArray<double>>(StringComparer.Ordinal);
        var input = model.Input;
        if (model.IsEncoderDecoder) return EncoderDecoderInputs(model, options, rng);
        if (model.OneToOne) T = 1;
        int[] xShape = model.OneToOne ? (input.IsTokens ? [B] : [B, input.Size])
            : model.OneToMany ? [B, input.Size]
            : input.IsTokens ? (model.BatchFirst ? [B, T] : [T, B])
            : (model.BatchFirst ? [B, T, input.Size] : [T, B, input.Size]);
        forward[input.Name] = input.IsTokens
            ? new HostArray<double>(xShape, Enumerable.Range(0, xShape.Aggregate(1, (a, b) => a * b)).Select(_ => (double)rng.Next(input.Vocab)).ToArray())
            : Random(rng, xShape, 1.0);
        if (model.OneToMany)
            forward[ModelNames.Feedback] = new HostArray<double>(model.BatchFirst ? [B, T] : [T, B],
                Enumerable.Range(0, T * B).Select(_ => (double)rng.Next(model.FeedbackVocab)).ToArray());
        int outputSize = model.Layers[^1].OutputSize;
        seeds["d" + ModelNames.Output] = Random(rng, model.OneOutputPerExample ? [B, outputSize] : model.BatchFirst ? [B, T, outputSize] : [T, B, outputSize], 1.0);
        foreach (var layer in model.RnnLayers)
        {
            if (layer == model.ConditionedLayer)
            {
                // The condition sets this layer's initial states; only their final values get upstream gradients.
                for (int s = 0; s < layer.States.Count; s++)
                    seeds["d" + ModelNames.FinalState(model, layer, s)] = Random(rng, [layer.NumLayers * layer.Directions, B, layer.Hidden], 1.0);
                continue;
            }
            int[] stacked = [layer.NumLayers * layer.Directions, B, layer.Hidden];
            for (int s = 0; s < layer.States.Count; s++)
            {
                forward[ModelNames.InitialState(model, layer, s)] = Random(rng, stacked, 0.8);
                seeds["d" + ModelNames.FinalState(model, layer, s)] = Random(rng, stacked, 1.0);
            }
        }
        return (forward, seeds);
    }

    /// <summary>
    /// Source x [S,B] (ids, or features), lengths [B] with the first sequence S long and the others shorter (all S−1 when B = 1),
    /// decoder_input [T,B] ids, teacher [T,B] when asked for, and dy [T,B,V]; batch-first models get [B,...] layouts.
    /// </summary>
    private static (Dictionary<string, HostArray<double>> Forward, Dictionary<string, HostArray<double>> Seeds) EncoderDecoderInputs(
        BoundModel model, GradientCheckOptions options, Random rng)
    {
        int S = options.Steps, T = options.DecoderSteps, B = options.Batch, V = model.EncoderDecoder!.TargetVocab;
        var forward = new Dictionary<string, HostArray<double>>(StringComparer.Ordinal);
        var input = model.Input;
        int[] Sequence(int steps, params int[] features) => model.BatchFirst ? [B, steps, .. features] : [steps, B, .. features];
        HostArray<double> Ids(int[] shape, int below) =>
            new(shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (double)rng.Next(below)).ToArray());
        forward[input.Name] = input.IsTokens ? Ids(Sequence(S), input.Vocab) : Random(rng, Sequence(S, input.Size), 1.0);
        var lengths = new double[B];
        for (int b = 0; b < B; b++) lengths[b] = S == 1 ? 1 : b == 0 && B > 1 ? S : 1 + rng.Next(S - 1);
        forward[EvalSignature.LengthsName] = new HostArray<double>([B], lengths);
        forward[EncoderDecoderNames.DecoderInput] = Ids(Sequence(T), V);
        if (options.TeacherForcing is { } ratio)
            forward[EncoderDecoderNames.Teacher] = new HostArray<double>(Sequence(T),
                Enumerable.Range(0, T * B).Select(_ => rng.NextDouble() < ratio ? 1.0 : 0.0).ToArray());
        var seeds = new Dictionary<string, HostArray<double>>(StringComparer.Ordinal) { ["d" + ModelNames.Output] = Random(rng, Sequence(T, V), 1.0) };
        return (forward, seeds);
    }

    private static HostArray<double> Random(Random rng, int[] shape, double scale)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return new HostArray<double>(shape, Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray());
    }
}
