using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// Draws sequences from a trained language model one token at a time, carrying the recurrent states
/// between steps: starts at &lt;bos&gt; (plus an optional prefix), stops at &lt;eos&gt; or the maximum length.
/// A one-to-many model generates from a condition vector instead (<see cref="SampleConditioned"/>).
/// </summary>
public sealed class Sampler
{
    private readonly BoundModel _model;
    private readonly ModelEvaluator<float> _step;
    private readonly Dictionary<string, HostArray<float>> _inputs = new(StringComparer.Ordinal);
    private readonly List<(string Initial, string Final, int[] Shape)> _states = new();

    /// <summary>One-to-many: the first step (condition given, no states: they start as the condition says) and the
    /// following steps (states carried, condition zero — it only enters at step 0 or through the initial states).</summary>
    private readonly ModelEvaluator<float>? _first;

    public Sampler(Compilation compilation, ParameterSet parameters)
    {
        _model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        foreach (var layer in _model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
                _states.Add((ModelNames.InitialState(_model, layer, s), ModelNames.FinalState(_model, layer, s), [layer.NumLayers * layer.Directions, 1, layer.Hidden]));
        var weights = parameters.ToDictionary(p => p.Name, p => new HostArray<float>(p.Shape, p.Value));
        if (_model.OneToMany)
        {
            var first = new Dictionary<string, HostArray<float>>(StringComparer.Ordinal)
            {
                [_model.Input.Name] = new HostArray<float>([1, _model.Input.Size], new float[_model.Input.Size]),
                [ModelNames.Feedback] = new HostArray<float>([1, 1], [0f]),
            };
            _first = new ModelEvaluator<float>(compilation, weights, first);
            _inputs[_model.Input.Name] = first[_model.Input.Name];
            _inputs[ModelNames.Feedback] = new HostArray<float>([1, 1], [0f]);
            Reset();
            _step = new ModelEvaluator<float>(compilation, weights, _inputs, allowConditionedStates: true);
            return;
        }
        Reset();
        _inputs[_model.Input.Name] = new HostArray<float>([1, 1], [0f]);
        _step = new ModelEvaluator<float>(compilation, weights, _inputs);
    }

    private void Reset()
    {
        foreach (var (initial, _, shape) in _states) _inputs[initial] = new HostArray<float>(shape, new float[shape.Aggregate(1, (a, b) => a * b)]);
    }

    /// <summary>Next-token probabilities after feeding <paramref name="token"/>; advances the carried states.</summary>
    private float[] Feed(int token)
    {
        _inputs[_model.OneToMany ? ModelNames.Feedback : _model.Input.Name].Data[0] = token;
        _step.SetInputs(_inputs);
        return Advance(_step.Run());
    }

    private float[] Advance(Dictionary<string, HostArray<float>> outputs)
    {
        foreach (var (initial, final, _) in _states) outputs[final].Data.CopyTo(_inputs[initial].Data, 0);
        return NextTokenDistribution.From(_model, outputs[ModelNames.Output].Data);
    }

    /// <summary>
    /// One-to-many: one sequence generated for the condition vector <paramref name="condition"/> (C floats): step 0 is fed
    /// &lt;bos&gt; with the condition, every later step the token drawn before, until &lt;eos&gt; or <paramref name="maxLength"/>
    /// tokens. An optional <paramref name="prefix"/> is fed after &lt;bos&gt; and starts the result. Temperature and top-k as in
    /// <see cref="Sample"/>.
    /// </summary>
    public IReadOnlyList<int> SampleConditioned(IReadOnlyList<float> condition, int maxLength, double temperature, Random random,
                                                int? topK = null, IReadOnlyList<int>? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(random);
        if (_first is null)
            throw new InvalidOperationException($"SampleConditioned needs a one-to-many model; this one is {_model.Topology}: use Sample");
        if (_model.RnnLayers.FirstOrDefault(l => l.Directions == 2) is { } bidirectional)
            throw new InvalidOperationException($"layer '{bidirectional.Name}' is bidirectional: its reverse direction needs the whole sequence, so it cannot generate one token at a time");
        if (condition.Count != _model.Input.Size)
            throw new ArgumentException($"the condition has {condition.Count} values but input '{_model.Input.Name}' has size {_model.Input.Size}", nameof(condition));
        if (topK is < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k needs k >= 1");
        var first = new Dictionary<string, HostArray<float>>(StringComparer.Ordinal)
        {
            [_model.Input.Name] = new HostArray<float>([1, condition.Count], condition.ToArray()),
            [ModelNames.Feedback] = new HostArray<float>([1, 1], [SpecialTokens.BosId]),
        };
        _first.SetInputs(first);
        Array.Clear(_inputs[_model.Input.Name].Data);
        float[] p = Advance(_first.Run());
        var result = new List<int>(prefix ?? []);
        foreach (int token in result) p = Feed(token);
        while (result.Count < maxLength)
        {
            int next = Draw(p, temperature, random, topK);
            if (next == SpecialTokens.EosId) break;
            result.Add(next);
            p = Feed(next);
        }
        return result;
    }

    /// <summary>
    /// One sequence (the prefix included) of at most <paramref name="maxLength"/> tokens. With <paramref name="topK"/>,
    /// each step draws only among the k most probable tokens (ties broken by the lower id), so <c>topK: 1</c> is greedy.
    /// </summary>
    public IReadOnlyList<int> Sample(IReadOnlyList<int> prefix, int maxLength, double temperature, Random random, int? topK = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(random);
        if (_first is not null) throw new InvalidOperationException("a one-to-many model samples from a condition vector: use SampleConditioned");
        if (topK is < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k needs k >= 1");
        Reset();
        var result = new List<int>(prefix);
        float[] p = Feed(SpecialTokens.BosId);
        foreach (int token in prefix) p = Feed(token);
        while (result.Count < maxLength)
        {
            int next = Draw(p, temperature, random, topK);
            if (next == SpecialTokens.EosId) break;
            result.Add(next);
            p = Feed(next);
        }
        return result;
    }

    private static int Draw(float[] p, double temperature, Random random, int? topK)
    {
        var weights = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
            weights[i] = i is SpecialTokens.PadId or SpecialTokens.BosId || p[i] <= 0 ? 0 : Math.Exp(Math.Log(p[i]) / temperature);
        if (topK is { } k) KeepTopK(p, weights, k);
        double u = random.NextDouble() * weights.Sum();
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u <= 0 && weights[i] > 0) return i;
        }
        return SpecialTokens.EosId;
    }

    /// <summary>Zeroes every weight but those of the k most probable drawable tokens (ties: the lower id wins).</summary>
    private static void KeepTopK(float[] p, double[] weights, int k)
    {
        var ranked = Enumerable.Range(0, p.Length).Where(i => weights[i] > 0)
            .OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        for (int r = k; r < ranked.Length; r++) weights[ranked[r]] = 0;
    }
}
