using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Training;
using N = RnnGraph.Compiler.Binding.EncoderDecoderNames;

namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// A trained encoder-decoder as an <see cref="IDecoderStep"/>: <see cref="Encode"/> runs the encoder graph once over a batch
/// of sources (their memory, attention keys and the decoder's initial states), then each <see cref="Step"/> runs the
/// decoder-step graph for every slot at once. The step graph is planned for a fixed number of rows (sources × beam width), so
/// a shrinking beam reuses one executor. Tokens in <see cref="Banned"/> (padding, &lt;bos&gt;, &lt;unk&gt;) are never chosen:
/// their logits are set to -∞ before the log-softmax.
/// </summary>
public sealed class EncoderDecoderSteps : IDecoderStep
{
    private readonly Compilation _compilation;
    private readonly ParameterSet _parameters;
    private readonly BoundEncoderDecoder _parts;
    private readonly Dictionary<(int Steps, int Batch), Executor<float>> _encoders = new();
    private readonly Dictionary<(int Steps, int Rows), Executor<float>> _steps = new();
    private readonly string[] _stateNames;

    // What Encode gave, per source: memory [S][sources·E], keys [S][sources·K], masks [S][sources], initial states [name·layer][sources·H].
    private float[][] _memory = [], _keys = [], _masks = [], _initial = [];
    private int _sourceSteps, _sourceCount;

    // Per slot: the source it decodes, its states [name·layer][slot·H] and Luong's feed [slot·H].
    private int[] _slotSource = [];
    private float[][] _states = [];
    private float[] _feed = [];
    private bool _memoryStale = true;
    private Executor<float>? _step;

    public EncoderDecoderSteps(Compilation compilation, ParameterSet parameters, IReadOnlyCollection<int> banned)
    {
        _compilation = compilation;
        _parameters = parameters;
        _parts = compilation.Model?.EncoderDecoder ?? throw new ArgumentException("the model is not an encoder-decoder", nameof(compilation));
        Banned = banned.ToArray();
        var rnn = _parts.DecoderRnn;
        _stateNames = Enumerable.Range(0, rnn.States.Count).Select(s => N.State(N.StateStem(rnn, s))).ToArray();
    }

    public int VocabularySize => _parts.TargetVocab;

    /// <summary>Tokens never produced.</summary>
    public IReadOnlyList<int> Banned { get; }

    /// <summary>The rows every step runs, at least the slots of the widest search of the batch encoded last.</summary>
    public int Capacity { get; private set; }

    /// <summary>The attention weights of each slot's last step [slots, S] (zero past a source's end), or null without attention.</summary>
    public float[]? LastAttention { get; private set; }

    /// <summary>The source steps of the batch encoded last (its longest source).</summary>
    public int SourceSteps => _sourceSteps;

    /// <summary>
    /// Runs the encoder over <paramref name="sources"/> (token ids, each at least one) and keeps what the decoder steps read;
    /// every later <see cref="Start"/> indexes into these sources. <paramref name="width"/> is the most slots per source a search will use.
    /// </summary>
    public void Encode(IReadOnlyList<int[]> sources, int width)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) throw new ArgumentException("no sources to encode", nameof(sources));
        int steps = sources.Max(s => s.Length), batch = sources.Count;
        if (sources.Any(s => s.Length == 0)) throw new ArgumentException("a source has no tokens; the encoder needs at least one", nameof(sources));
        var encoder = Encoder(steps, batch);
        var ids = new float[batch];
        _masks = new float[steps][];
        for (int j = 0; j < steps; j++)
        {
            _masks[j] = new float[batch];
            for (int b = 0; b < batch; b++)
            {
                ids[b] = j < sources[b].Length ? sources[b][j] : 0;
                _masks[j][b] = j < sources[b].Length ? 1f : 0f;
            }
            encoder.SetInput(_compilation.Model!.Input.Name, j, ids);
            encoder.SetInput(ModelNames.Mask, j, _masks[j]);
        }
        encoder.Run();
        _memory = Enumerable.Range(0, steps).Select(j => encoder.Output(N.Memory, j).ToArray()).ToArray();
        _keys = encoder.Graph.Outputs.Any(o => o.Name == N.Keys) ? Enumerable.Range(0, steps).Select(j => encoder.Output(N.Keys, j).ToArray()).ToArray() : [];
        int layers = _parts.DecoderRnn.NumLayers;
        _initial = new float[_stateNames.Length * layers][];
        for (int s = 0; s < _stateNames.Length; s++)
            for (int l = 0; l < layers; l++) _initial[s * layers + l] = encoder.Output(_stateNames[s], l).ToArray();
        _sourceSteps = steps;
        _sourceCount = batch;
        Capacity = batch * Math.Max(1, width);
        _slotSource = [];
    }

    public void Start(ReadOnlySpan<int> sources)
    {
        if (sources.Length > Capacity) throw new ArgumentException($"{sources.Length} slots but the encoded batch allows {Capacity}", nameof(sources));
        int h = _parts.DecoderRnn.Hidden;
        _slotSource = sources.ToArray();
        foreach (int source in _slotSource)
            if (source < 0 || source >= _sourceCount) throw new ArgumentOutOfRangeException(nameof(sources), source, $"sources are 0..{_sourceCount - 1}");
        _states = new float[_initial.Length][];
        for (int k = 0; k < _initial.Length; k++)
        {
            _states[k] = new float[Capacity * h];
            for (int i = 0; i < _slotSource.Length; i++)
                _initial[k].AsSpan(_slotSource[i] * h, h).CopyTo(_states[k].AsSpan(i * h, h));
        }
        _feed = new float[Capacity * h];
        _memoryStale = true;
        _step = StepExecutor(_sourceSteps, Capacity);
    }

    public void Step(ReadOnlySpan<int> tokens, Span<float> logProbabilities)
    {
        var step = _step ?? throw new InvalidOperationException("Start first");
        int slots = _slotSource.Length, vocabulary = VocabularySize;
        if (tokens.Length != slots) throw new ArgumentException($"{tokens.Length} tokens for {slots} slots", nameof(tokens));
        if (_memoryStale) SetMemory(step);
        var ids = new float[Capacity];
        for (int i = 0; i < slots; i++) ids[i] = tokens[i];
        step.SetInput(N.DecoderInput, 0, ids);
        int layers = _parts.DecoderRnn.NumLayers;
        for (int k = 0; k < _states.Length; k++) step.SetInput(_stateNames[k / layers], k % layers, _states[k]);
        if (_parts.IsLuong) step.SetInput(N.Feed, -1, _feed);
        step.Run();

        var logits = step.Output(ModelNames.Output);
        for (int i = 0; i < slots; i++)
        {
            var row = logProbabilities.Slice(i * vocabulary, vocabulary);
            logits.Slice(i * vocabulary, vocabulary).CopyTo(row);
            foreach (int banned in Banned) row[banned] = float.NegativeInfinity;
            LogSoftmax(row);
        }
        for (int k = 0; k < _states.Length; k++) step.Output(_stateNames[k / layers], k % layers).CopyTo(_states[k]);
        if (_parts.IsLuong) step.Output(N.Feed).CopyTo(_feed);
        LastAttention = _parts.Attention == "none" ? null : step.Output(N.Attention)[..(slots * _sourceSteps)].ToArray();
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length > Capacity) throw new ArgumentException($"{parents.Length} slots but the encoded batch allows {Capacity}", nameof(parents));
        int h = _parts.DecoderRnn.Hidden;
        var sources = new int[parents.Length];
        for (int i = 0; i < parents.Length; i++) sources[i] = _slotSource[parents[i]];
        if (!sources.AsSpan().SequenceEqual(_slotSource)) _memoryStale = true;
        _slotSource = sources;
        for (int k = 0; k < _states.Length; k++) _states[k] = Gather(_states[k], parents, h);
        if (_parts.IsLuong) _feed = Gather(_feed, parents, h);
    }

    private float[] Gather(float[] rows, ReadOnlySpan<int> parents, int width)
    {
        var result = new float[Capacity * width];
        for (int i = 0; i < parents.Length; i++) rows.AsSpan(parents[i] * width, width).CopyTo(result.AsSpan(i * width, width));
        return result;
    }

    /// <summary>Each slot's rows of the memory, keys and masks of its source (rows past the slots stay masked out).</summary>
    private void SetMemory(Executor<float> step)
    {
        _memoryStale = false;
        if (!step.HasInput(N.Memory, 0)) return; // no attention: the steps never read the memory
        int e = _parts.MemorySize;
        var memory = new float[Capacity * e];
        var mask = new float[Capacity];
        for (int j = 0; j < _sourceSteps; j++)
        {
            Array.Clear(mask);
            for (int i = 0; i < _slotSource.Length; i++)
            {
                _memory[j].AsSpan(_slotSource[i] * e, e).CopyTo(memory.AsSpan(i * e, e));
                mask[i] = _masks[j][_slotSource[i]];
            }
            // A row without a slot attends over one valid (zero) step, so its softmax stays finite.
            if (j == 0) for (int i = _slotSource.Length; i < Capacity; i++) mask[i] = 1f;
            step.SetInput(N.Memory, j, memory);
            step.SetInput(ModelNames.Mask, j, mask);
            if (_keys.Length > 0)
            {
                int k = _keys[j].Length / _sourceCount;
                var keys = new float[Capacity * k];
                for (int i = 0; i < _slotSource.Length; i++) _keys[j].AsSpan(_slotSource[i] * k, k).CopyTo(keys.AsSpan(i * k, k));
                step.SetInput(N.Keys, j, keys);
            }
        }
    }

    private static void LogSoftmax(Span<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row) if (v > max) max = v;
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        float log = max + (float)Math.Log(sum);
        for (int i = 0; i < row.Length; i++) row[i] -= log;
    }

    private Executor<float> Encoder(int steps, int batch)
    {
        if (_encoders.TryGetValue((steps, batch), out var executor)) return executor;
        var graph = _compilation.Optimize(_compilation.Unroll(new UnrollOptions(steps, null, Masked: true) { Part = EncoderDecoderPart.Encoder }));
        executor = WithParameters(new Executor<float>(graph, batch));
        _encoders[(steps, batch)] = executor;
        return executor;
    }

    private Executor<float> StepExecutor(int steps, int rows)
    {
        if (_steps.TryGetValue((steps, rows), out var executor))
        {
            return executor;
        }
        var graph = _compilation.Optimize(_compilation.Unroll(new UnrollOptions(steps) { Part = EncoderDecoderPart.DecoderStep }));
        executor = WithParameters(new Executor<float>(graph, rows));
        _steps[(steps, rows)] = executor;
        return executor;
    }

    private Executor<float> WithParameters(Executor<float> executor)
    {
        foreach (var p in _parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        return executor;
    }
}

/// <summary>Decodes many sources with an encoder-decoder, in batches: greedily, or by beam search.</summary>
public static class EncoderDecoderDecoding
{
    /// <summary>
    /// The best hypothesis of every source, in order, decoding <paramref name="batchSize"/> sources at a time (sorted by length
    /// first, so a batch pads little); <paramref name="beam"/> null (or width 1 with no penalty) decodes greedily.
    /// </summary>
    public static IReadOnlyList<Hypothesis> Decode(EncoderDecoderSteps model, IReadOnlyList<int[]> sources, DecodingOptions options,
                                                   BeamSearchOptions? beam, int batchSize = 64, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        var result = new Hypothesis[sources.Count];
        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ToArray();
        int done = 0;
        foreach (var chunk in order.Chunk(batchSize))
        {
            model.Encode(chunk.Select(i => sources[i]).ToList(), beam?.Width ?? 1);
            var hypotheses = beam is null
                ? GreedyDecoder.Decode(model, chunk.Length, options)
                : BeamSearchDecoder.Decode(model, chunk.Length, options, beam).Select(h => h[0]).ToList();
            for (int i = 0; i < chunk.Length; i++) result[chunk[i]] = hypotheses[i];
            done += chunk.Length;
            progress?.Invoke(done);
        }
        return result;
    }

    /// <summary>
    /// The attention weights [output steps, source steps] of one source while the decoder is fed <paramref name="output"/>
    /// (a decoded hypothesis, &lt;eos&gt; last when it ended with one): row t is the weight of each source token for output token t.
    /// </summary>
    public static float[,] Attention(EncoderDecoderSteps model, int[] source, IReadOnlyList<int> output, DecodingOptions options)
    {
        model.Encode([source], 1);
        model.Start([0]);
        var weights = new float[output.Count, source.Length];
        var logProbabilities = new float[model.VocabularySize];
        int token = options.StartToken;
        for (int t = 0; t < output.Count; t++)
        {
            model.Step([token], logProbabilities);
            var row = model.LastAttention ?? throw new InvalidOperationException("the model has no attention");
            for (int j = 0; j < source.Length; j++) weights[t, j] = row[j];
            token = output[t];
        }
        return weights;
    }
}
