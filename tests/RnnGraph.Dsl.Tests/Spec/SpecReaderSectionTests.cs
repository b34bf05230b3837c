using RnnGraph.Dsl.Spec;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>The data, training and generation sections, <c>vocab: auto</c>, <c>one_hot</c> and <c>units: auto</c> read into the spec model.</summary>
public sealed class SpecReaderSectionTests
{
    private const string Yaml = """
        model:
          inputs:
            chars: { vocab: auto, one_hot: true }
          layers:
            - rnn: { cell: lstm, hidden: 64 }
            - dense: { units: auto, activation: softmax }
        data:
          file: data/names.txt
          format: stream
          tokenizer: word
          min_frequency: 2
          validation: 0.25
        training:
          epochs: 3
          batch_size: 16
          steps: 20
          optimizer: adamw
          learning_rate: 2e-3
          clip_norm: 0.5
          seed: 0
        generation:
          samples: 5
          max_length: 30
          temperature: 0.8
          prefix: "The "
        """;

    [Fact]
    public void Reads_a_full_spec_without_diagnostics()
    {
        var (document, diagnostics) = Read(Yaml);

        Assert.Empty(diagnostics);
        Assert.NotNull(document.Model);
        Assert.NotNull(document.Data);
        Assert.NotNull(document.Training);
        Assert.NotNull(document.Generation);
    }

    [Fact]
    public void Reads_vocab_auto_and_one_hot()
    {
        var input = Assert.Single(Read(Yaml).Document.Model!.Inputs);

        Assert.True(input.VocabFromData);
        Assert.Null(input.Size);
        Assert.Equal(0, input.Vocab!.Value.Value);
        Assert.Equal("auto", TextOf(input.Vocab.Value.Location));
        Assert.Equal((3, 21), (input.Vocab.Value.Location.Line, input.Vocab.Value.Location.Column));
        Assert.True(input.OneHot!.Value.Value);
        Assert.Equal((3, 36), (input.OneHot.Value.Location.Line, input.OneHot.Value.Location.Column));
    }

    [Fact]
    public void Reads_units_auto()
    {
        var dense = Assert.IsType<DenseLayerSpec>(Read(Yaml).Document.Model!.Layers[1]);

        Assert.True(dense.UnitsFromData);
        Assert.Equal(0, dense.Units.Value);
        Assert.Equal("auto", TextOf(dense.Units.Location));
        Assert.Equal((6, 23), (dense.Units.Location.Line, dense.Units.Location.Column));
        Assert.Equal("softmax", dense.Activation!.Value.Value);
    }

    [Fact]
    public void Numeric_sizes_are_not_from_the_data()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs:
                x: { vocab: 12 }
              layers:
                - dense: { units: 7 }
            """);

        Assert.Empty(diagnostics);
        var input = Assert.Single(document.Model!.Inputs);
        Assert.False(input.VocabFromData);
        Assert.Equal(12, input.Vocab!.Value.Value);
        Assert.Null(input.OneHot);
        var dense = Assert.IsType<DenseLayerSpec>(Assert.Single(document.Model.Layers));
        Assert.False(dense.UnitsFromData);
        Assert.Equal(7, dense.Units.Value);
    }

    [Fact]
    public void Reads_the_data_section()
    {
        var data = Read(Yaml).Document.Data!;

        Assert.Equal("data/names.txt", data.File!.Value.Value);
        Assert.Equal((8, 9), (data.File.Value.Location.Line, data.File.Value.Location.Column));
        Assert.Null(data.Text);
        Assert.Equal("stream", data.Format!.Value.Value);
        Assert.Equal((9, 11), (data.Format.Value.Location.Line, data.Format.Value.Location.Column));
        Assert.Equal("word", data.Tokenizer!.Value.Value);
        Assert.Equal(2, data.MinFrequency!.Value.Value);
        Assert.Equal(0.25, data.Validation!.Value.Value);
        Assert.Equal("0.25", TextOf(data.Validation.Value.Location));
        Assert.Equal((7, 1), (data.Location.Line, data.Location.Column));
        Assert.StartsWith("data:\n  file: data/names.txt", TextOf(data.Location).ReplaceLineEndings("\n"));
        Assert.EndsWith("validation: 0.25", TextOf(data.Location));
    }

    [Fact]
    public void Reads_the_training_section()
    {
        var training = Read(Yaml).Document.Training!;

        Assert.Equal(3, training.Epochs!.Value.Value);
        Assert.Equal(16, training.BatchSize!.Value.Value);
        Assert.Equal(20, training.Steps!.Value.Value);
        Assert.Equal((16, 10), (training.Steps.Value.Location.Line, training.Steps.Value.Location.Column));
        Assert.Equal("adamw", training.Optimizer!.Value.Value);
        Assert.Equal(0.002, training.LearningRate!.Value.Value);
        Assert.Equal("2e-3", TextOf(training.LearningRate.Value.Location));
        Assert.Equal((18, 18), (training.LearningRate.Value.Location.Line, training.LearningRate.Value.Location.Column));
        Assert.Equal(0.5, training.ClipNorm!.Value.Value);
        Assert.Equal(0, training.Seed!.Value.Value);
        Assert.Equal((13, 1), (training.Location.Line, training.Location.Column));
    }

    [Fact]
    public void Reads_the_generation_section()
    {
        var generation = Read(Yaml).Document.Generation!;

        Assert.Equal(5, generation.Samples!.Value.Value);
        Assert.Equal(30, generation.MaxLength!.Value.Value);
        Assert.Equal(0.8, generation.Temperature!.Value.Value);
        Assert.Equal("The ", generation.Prefix!.Value.Value);
        Assert.Equal("\"The \"", TextOf(generation.Prefix.Value.Location));
        Assert.Equal((25, 11), (generation.Prefix.Value.Location.Line, generation.Prefix.Value.Location.Column));
    }

    [Fact]
    public void Absent_sections_and_keys_stay_null_for_their_defaults()
    {
        var (document, diagnostics) = Read(MinimalModel + """
            data:
              text: |
                ab
                abc
            training:
            generation: {}
            """);

        Assert.Empty(diagnostics);
        var data = document.Data!;
        Assert.Equal("ab\nabc\n", data.Text!.Value.Value.ReplaceLineEndings("\n"));
        Assert.Null(data.File);
        Assert.Null(data.Format);
        Assert.Null(data.Tokenizer);
        Assert.Null(data.MinFrequency);
        Assert.Null(data.Validation);

        var training = document.Training!;
        Assert.Null(training.Epochs);
        Assert.Null(training.BatchSize);
        Assert.Null(training.Steps);
        Assert.Null(training.Optimizer);
        Assert.Null(training.LearningRate);
        Assert.Null(training.ClipNorm);
        Assert.Null(training.Seed);

        var generation = document.Generation!;
        Assert.Null(generation.Samples);
        Assert.Null(generation.MaxLength);
        Assert.Null(generation.Temperature);
        Assert.Null(generation.Prefix);

        Assert.Null(Read(MinimalModel).Document.Data);
        Assert.Null(Read(MinimalModel).Document.Training);
        Assert.Null(Read(MinimalModel).Document.Generation);
    }

    [Fact]
    public void Numbers_read_in_invariant_notation()
    {
        var (document, diagnostics) = Read(MinimalModel + """
            data: { text: abc, validation: 0 }
            training: { learning_rate: .5, clip_norm: none }
            generation: { temperature: 2, prefix: "" }
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(0.0, document.Data!.Validation!.Value.Value);
        Assert.Equal(0.5, document.Training!.LearningRate!.Value.Value);
        Assert.Null(document.Training.ClipNorm);
        Assert.Equal(2.0, document.Generation!.Temperature!.Value.Value);
        Assert.Equal("", document.Generation.Prefix!.Value.Value);
    }

    [Fact]
    public void Reads_recompute_every_with_its_location()
    {
        var (document, diagnostics) = Read(MinimalModel + """
            training: { steps: 20000, recompute_every: 141 }
            """);

        Assert.Empty(diagnostics);
        var every = document.Training!.RecomputeEvery!.Value;
        Assert.Equal(141, every.Value);
        Assert.Equal((6, 44), (every.Location.Line, every.Location.Column));
        Assert.Null(Read(MinimalModel + "training: { steps: 20 }\n").Document.Training!.RecomputeEvery);
    }
}
