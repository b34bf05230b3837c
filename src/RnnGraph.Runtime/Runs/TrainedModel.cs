using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A language model read back from a run folder: its spec (spec.yaml) compiled to the size of its vocabulary
/// (vocab.json), the trained weights (weights.safetensors, or the last checkpoint's weights when the run was
/// interrupted before it finished), the spec's tokenizer and its run settings.
/// </summary>
public sealed class TrainedModel
{
    private TrainedModel(string folder, Compilation compilation, ParameterSet parameters, Vocabulary vocabulary, ITokenizer tokenizer, RunSettings settings, string weightsFile, IReadOnlyList<string>? labels)
    {
        Labels = labels;
        Folder = folder;
        Compilation = compilation;
        Parameters = parameters;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        Settings = settings;
        WeightsFile = weightsFile;
    }

    public string Folder { get; }

    /// <summary>A classifier's labels (labels.json), a label's id being its index; null for a language model.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>The spec bound to the vocabulary's size.</summary>
    public Compilation Compilation { get; }

    public ParameterSet Parameters { get; }

    public Vocabulary Vocabulary { get; }

    public ITokenizer Tokenizer { get; }

    /// <summary>The spec's data, training and generation settings with the defaults filled in.</summary>
    public RunSettings Settings { get; }

    /// <summary>An encoder-decoder's target vocabulary (target-vocab.json); null for other models.</summary>
    public Vocabulary? TargetVocabulary { get; private init; }

    /// <summary>An encoder-decoder's target tokenizer (data.target_tokenizer); null for other models.</summary>
    public ITokenizer? TargetTokenizer { get; private init; }

    /// <summary>Where the weights came from: weights.safetensors or checkpoint.safetensors.</summary>
    public string WeightsFile { get; }

    /// <summary>Loads a run folder written by <see cref="TrainingRun"/>; a missing or unusable file throws a <see cref="RunException"/> naming it.</summary>
    public static TrainedModel Load(string runFolder)
    {
        ArgumentNullException.ThrowIfNull(runFolder);
        if (!Directory.Exists(runFolder)) throw new RunException($"run folder '{runFolder}' does not exist");
        string specPath = Path.Combine(runFolder, "spec.yaml");
        string vocabPath = Path.Combine(runFolder, "vocab.json");
        string weightsPath = Path.Combine(runFolder, "weights.safetensors");
        string checkpointPath = Path.Combine(runFolder, Checkpoint.FileName);
        if (!File.Exists(specPath)) throw new RunException($"'{runFolder}' is not a run folder: it has no spec.yaml");
        if (!File.Exists(vocabPath)) throw new RunException($"'{runFolder}' has no vocab.json");
        bool finished = File.Exists(weightsPath);
        if (!finished && !File.Exists(checkpointPath))
            throw new RunException($"'{runFolder}' has no weights: neither weights.safetensors nor {Checkpoint.FileName}");

        var vocabulary = Vocabulary.Load(vocabPath);
        // An encoder-decoder's run also has the target side's vocabulary.
        string targetVocabPath = Path.Combine(runFolder, EncoderDecoderData.TargetVocabularyFile);
        var targetVocabulary = File.Exists(targetVocabPath) ? Vocabulary.Load(targetVocabPath) : null;
        var compilation = Compilation.Create(new SourceText(specPath, File.ReadAllText(specPath)), vocabulary.Count, targetVocabulary?.Count);
        if (compilation.HasErrors || compilation.Model is null || compilation.Document is null)
            throw new RunException($"{specPath} does not compile with its vocabulary of {vocabulary.Count} tokens: {compilation.Diagnostics.FirstOrDefault()}");
        var model = compilation.Model;
        if (model.IsEncoderDecoder && targetVocabulary is null) throw new RunException($"'{runFolder}' holds an encoder-decoder but no {EncoderDecoderData.TargetVocabularyFile}");
        if (!model.Input.IsTokens && !model.OneToMany) throw new RunException($"{specPath}: the model's input is not token ids, so it does not read text");
        string labelsPath = Path.Combine(runFolder, LabelsFile.FileName);
        IReadOnlyList<string>? labels = null;
        if (model.ManyToOne || model.OneToMany)
        {
            if (!File.Exists(labelsPath)) throw new RunException($"'{runFolder}' holds a {model.Topology} model but no {LabelsFile.FileName}");
            labels = LabelsFile.Read(labelsPath);
        }

        // The spec fixes the expected names and shapes; the file supplies the values.
        var parameters = ParameterInitializer.PyTorchDefaults(model, seed: 0);
        if (finished)
        {
            var tensors = SafeTensors.Read(weightsPath);
            foreach (var p in parameters)
            {
                if (!tensors.TryGetValue(p.Name, out var value) || !value.Shape.SequenceEqual(p.Shape))
                    throw new RunException($"{weightsPath}: parameter '{p.Name}' is missing or has another shape than the spec's model");
                value.ToFloatArray().CopyTo(p.Value, 0);
            }
        }
        else Checkpoint.Read(runFolder, parameters);

        var settings = RunSettings.From(compilation.Document);
        return new TrainedModel(runFolder, compilation, parameters, vocabulary, CreateTokenizer(settings), settings, finished ? weightsPath : checkpointPath, labels)
        {
            TargetVocabulary = targetVocabulary,
            TargetTokenizer = targetVocabulary is null ? null : EncoderDecoderData.CreateTargetTokenizer(settings),
        };
    }

    /// <summary>The tokenizer a run with these settings trained with (data.tokenizer: char or word).</summary>
    public static ITokenizer CreateTokenizer(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Tokenizer == "word" ? new WordTokenizer(lowercase: true) : new CharTokenizer(normalizeNewlines: true);
    }

    public Sampler CreateSampler() => new(Compilation, Parameters);

    /// <summary>
    /// <paramref name="count"/> samples as text, drawn one after another from one generator seeded with <paramref name="seed"/>
    /// (the spec's training seed and generation settings reproduce the run's samples.txt).
    /// </summary>
    /// <remarks>
    /// A one-to-many model draws <paramref name="count"/> samples for each of its labels (or only for
    /// <paramref name="label"/>), each line <c>label&lt;TAB&gt;text</c> as in the run's samples.txt.
    /// </remarks>
    public IReadOnlyList<string> Generate(int count, string prefix, int maxLength, double temperature, int seed, int? topK = null, string? label = null)
    {
        if (Compilation.Model!.IsEncoderDecoder)
            throw new RunException($"'{Folder}' holds an encoder-decoder, which turns an input into an output rather than sampling; use 'rnngraph predict {Folder} --input TEXT'");
        var sampler = CreateSampler();
        if (Compilation.Model!.OneToMany)
        {
            if (label is not null && !Labels!.Contains(label))
                throw new RunException($"'{label}' is not a label of this model; its labels are {string.Join(", ", Labels!)}");
            return ConditionalSamples.Draw(sampler, Labels!, label, Tokenizer, Vocabulary, count, prefix, maxLength, temperature, seed, topK)
                .Select(s => s.Label + "\t" + s.Text).ToList();
        }
        if (label is not null) throw new RunException($"'{Folder}' holds a {Compilation.Model.Topology} model, which takes no label");
        var random = new Random(seed);
        var prefixIds = Vocabulary.Encode(Tokenizer.Tokenize(prefix));
        return Enumerable.Range(0, count)
            .Select(_ => Tokenizer.Detokenize(Vocabulary.Decode(sampler.Sample(prefixIds, maxLength, temperature, random, topK))))
            .ToList();
    }

    /// <summary>
    /// A classifier's label probabilities for a text (tokenized and cut like the training data), in label order:
    /// softmax over the label logits, or for one logit sigmoid for the second label.
    /// </summary>
    public double[] Classify(string text)
    {
        if (Labels is null || !Compilation.Model!.ManyToOne) throw new RunException($"'{Folder}' holds a {Compilation.Model!.Topology} model, not a classifier");
        var ids = Vocabulary.Encode(Settings.Truncate(Tokenizer.Tokenize(text)));
        if (ids.Length == 0) throw new RunException("the text has no tokens to classify");
        var bound = Compilation.Model!;
        var weights = Parameters.ToDictionary(p => p.Name, p => new Evaluation.HostArray<float>(p.Shape, p.Value));
        var x = new Evaluation.HostArray<float>(bound.BatchFirst ? [1, ids.Length] : [ids.Length, 1], ids.Select(i => (float)i).ToArray());
        var y = Evaluation.ModelEvaluator<float>.Evaluate(Compilation, weights, new Dictionary<string, Evaluation.HostArray<float>> { [bound.Input.Name] = x });
        return LabelProbabilities.From(y[Compiler.Binding.ModelNames.Output].Data);
    }

    /// <summary>
    /// A one-to-many model's log-likelihood of a text under each label (its tokens and the closing &lt;eos&gt;, fed
    /// back as in training), in label order.
    /// </summary>
    public double[] ScoreLabels(string text)
    {
        var bound = Compilation.Model!;
        if (Labels is null || !bound.OneToMany) throw new RunException($"'{Folder}' holds a {bound.Topology} model, not a one-to-many one");
        var ids = new List<int> { SpecialTokens.BosId };
        ids.AddRange(Vocabulary.Encode(Tokenizer.Tokenize(text)));
        int steps = ids.Count, vocabulary = bound.Layers[^1].OutputSize;
        var weights = Parameters.ToDictionary(p => p.Name, p => new Evaluation.HostArray<float>(p.Shape, p.Value));
        var feedback = new Evaluation.HostArray<float>(bound.BatchFirst ? [1, steps] : [steps, 1], ids.Select(i => (float)i).ToArray());
        var scores = new double[Labels.Count];
        for (int label = 0; label < Labels.Count; label++)
        {
            var condition = new float[Labels.Count];
            condition[label] = 1f;
            var y = Evaluation.ModelEvaluator<float>.Evaluate(Compilation, weights, new Dictionary<string, Evaluation.HostArray<float>>
            {
                [bound.Input.Name] = new([1, Labels.Count], condition),
                [Compiler.Binding.ModelNames.Feedback] = feedback,
            })[Compiler.Binding.ModelNames.Output].Data;
            for (int t = 0; t < steps; t++)
            {
                var p = NextTokenDistribution.From(bound, y.AsSpan(t * vocabulary, vocabulary));
                scores[label] += Math.Log(Math.Max(p[t + 1 < steps ? ids[t + 1] : SpecialTokens.EosId], double.Epsilon));
            }
        }
        return scores;
    }
}
