using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Mistakes in the data, training and generation sections and in <c>vocab: auto</c>, <c>one_hot</c> and <c>units: auto</c>.</summary>
public sealed class SpecReaderSectionErrorTests
{
    [Fact]
    public void Unknown_keys_in_the_sections_suggest_a_close_key() =>
        AssertErrors(MinimalModel + """
            data: { text: abc, fromat: lines, encoding: utf8 }
            training: { learnig_rate: 0.1 }
            generation: { temprature: 0.5 }
            trainig: {}
            """,
            "spec.yaml(6,20): error RG0005: unknown key 'fromat' in 'data'; did you mean 'format'?",
            "spec.yaml(6,35): error RG0005: unknown key 'encoding' in 'data'; valid keys are file, text, format, tokenizer, min_frequency, validation, max_tokens, columns, window, target_tokenizer, validation_file, test_file",
            "spec.yaml(7,13): error RG0005: unknown key 'learnig_rate' in 'training'; did you mean 'learning_rate'?",
            "spec.yaml(8,15): error RG0005: unknown key 'temprature' in 'generation'; did you mean 'temperature'?",
            "spec.yaml(9,1): error RG0005: unknown key 'trainig' in the spec; did you mean 'training'?");

    [Fact]
    public void Sections_must_be_mappings() =>
        AssertErrors(MinimalModel + """
            data: [a.txt]
            training: 3
            generation: yes
            """,
            "spec.yaml(6,7): error RG0004: expected a mapping for 'data', got a sequence",
            "spec.yaml(7,11): error RG0004: expected a mapping for 'training', got '3'",
            "spec.yaml(8,13): error RG0004: expected a mapping for 'generation', got 'yes'");

    [Fact]
    public void Wrong_value_types_in_the_sections() =>
        AssertErrors(MinimalModel + """
            data: { file: [a], min_frequency: abc, validation: half }
            training: { epochs: 2.5, learning_rate: fast, seed: x, optimizer: {} }
            generation: { prefix: { a: 1 }, max_length: }
            """,
            "spec.yaml(6,15): error RG0004: expected a string for 'file', got a sequence",
            "spec.yaml(6,35): error RG0004: expected an integer for 'min_frequency', got 'abc'",
            "spec.yaml(6,52): error RG0004: expected a number for 'validation', got 'half'",
            "spec.yaml(7,21): error RG0004: expected an integer for 'epochs', got '2.5'",
            "spec.yaml(7,41): error RG0004: expected a number for 'learning_rate', got 'fast'",
            "spec.yaml(7,53): error RG0004: expected an integer for 'seed', got 'x'",
            "spec.yaml(7,67): error RG0004: expected a name for 'optimizer', got a mapping",
            "spec.yaml(8,23): error RG0004: expected a string for 'prefix', got a mapping",
            "spec.yaml(8,33): error RG0004: expected an integer for 'max_length', got nothing");

    [Fact]
    public void Numbers_must_be_finite() =>
        AssertErrors(MinimalModel + """
            training: { learning_rate: .nan, clip_norm: 1e999 }
            generation: { temperature: Infinity }
            """,
            "spec.yaml(6,28): error RG0004: expected a number for 'learning_rate', got '.nan'",
            "spec.yaml(6,45): error RG0004: expected a finite number for 'clip_norm', got '1e999'",
            "spec.yaml(7,28): error RG0004: expected a finite number for 'temperature', got 'Infinity'");

    [Fact]
    public void Data_needs_file_or_text() =>
        AssertErrors(MinimalModel + """
            data: { format: lines }
            """,
            "spec.yaml(6,1): error RG0020: 'data' needs either 'file' (a path relative to the spec) or 'text' (the data inline)");

    [Fact]
    public void Empty_data_section_needs_file_or_text() =>
        AssertErrors(MinimalModel + """
            data:
            """,
            "spec.yaml(6,1): error RG0020: 'data' needs either 'file' (a path relative to the spec) or 'text' (the data inline)");

    [Fact]
    public void Data_with_both_file_and_text_points_at_the_second() =>
        AssertErrors(MinimalModel + """
            data:
              file: a.txt
              text: abc
            """,
            "spec.yaml(8,3): error RG0021: 'data' has both 'file' and 'text'; keep one");

    [Fact]
    public void Data_with_text_then_file_points_at_file() =>
        AssertErrors(MinimalModel + """
            data: { text: abc, file: a.txt }
            """,
            "spec.yaml(6,20): error RG0021: 'data' has both 'file' and 'text'; keep one");

    [Fact]
    public void File_and_text_must_not_be_empty() =>
        AssertErrors(MinimalModel + """
            data: { file: "" }
            """,
            "spec.yaml(6,15): error RG0018: 'file' must not be empty");

    [Fact]
    public void Unknown_format_tokenizer_and_optimizer() =>
        AssertErrors(MinimalModel + """
            data: { text: abc, format: line, tokenizer: bpe }
            training: { optimizer: adma }
            """,
            "spec.yaml(6,28): error RG0022: unknown format 'line'; did you mean 'lines'?",
            "spec.yaml(6,45): error RG0022: unknown tokenizer 'bpe'; expected char or word",
            "spec.yaml(7,24): error RG0022: unknown optimizer 'adma'; did you mean 'adam'?");

    [Fact]
    public void Unknown_optimizer_lists_the_choices() =>
        AssertErrors(MinimalModel + """
            training: { optimizer: lbfgs }
            """,
            "spec.yaml(6,24): error RG0022: unknown optimizer 'lbfgs'; expected sgd, adam, adamw or rmsprop");

    [Fact]
    public void Counts_must_be_positive_and_seed_non_negative() =>
        AssertErrors(MinimalModel + """
            data: { text: abc, min_frequency: 0 }
            training: { epochs: 0, batch_size: -1, steps: 0, seed: -1 }
            generation: { samples: 0, max_length: -5 }
            """,
            "spec.yaml(6,35): error RG0007: minimum frequency must be a positive integer, got 0",
            "spec.yaml(7,21): error RG0007: number of epochs must be a positive integer, got 0",
            "spec.yaml(7,36): error RG0007: batch size must be a positive integer, got -1",
            "spec.yaml(7,47): error RG0007: number of steps must be a positive integer, got 0",
            "spec.yaml(7,56): error RG0024: seed must be a non-negative integer, got -1",
            "spec.yaml(8,24): error RG0007: number of samples must be a positive integer, got 0",
            "spec.yaml(8,39): error RG0007: maximum length must be a positive integer, got -5");

    [Theory]
    [InlineData("0", "spec.yaml(6,30): error RG0007: recompute segment length must be a positive integer, got 0")]
    [InlineData("-3", "spec.yaml(6,30): error RG0007: recompute segment length must be a positive integer, got -3")]
    [InlineData("2.5", "spec.yaml(6,30): error RG0004: expected an integer for 'recompute_every', got '2.5'")]
    [InlineData("yes", "spec.yaml(6,30): error RG0004: expected an integer for 'recompute_every', got 'yes'")]
    public void Recompute_every_must_be_a_positive_integer(string value, string expected) =>
        AssertErrors(MinimalModel + $"training: {{ recompute_every: {value} }}\n", expected);

    [Fact]
    public void Rates_norms_and_temperatures_must_be_positive() =>
        AssertErrors(MinimalModel + """
            training: { learning_rate: 0, clip_norm: -1.5 }
            generation: { temperature: -0.25 }
            """,
            "spec.yaml(6,28): error RG0023: learning rate must be a positive number, got 0",
            "spec.yaml(6,42): error RG0023: clipping norm must be a positive number, got -1.5",
            "spec.yaml(7,28): error RG0023: temperature must be a positive number, got -0.25");

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("-0.1", "-0.1")]
    [InlineData("2.5e0", "2.5")]
    public void Validation_must_be_in_zero_to_one(string written, string shown) =>
        AssertErrors(MinimalModel + $"data: {{ text: abc, validation: {written} }}\n",
            $"spec.yaml(6,32): error RG0025: validation fraction must be at least 0 and less than 1, got {shown}");

    [Fact]
    public void One_hot_only_with_vocab() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 4, one_hot: true }
                y: { vocab: auto, one_hot: maybe }
              layers:
                - dense: { units: 2 }
            """,
            "spec.yaml(3,19): error RG0026: 'one_hot' applies only to token inputs ('vocab'); input 'x' has 'size'",
            "spec.yaml(4,32): error RG0004: expected a boolean (true or false) for 'one_hot', got 'maybe'");

    [Fact]
    public void Auto_is_the_only_word_for_vocab_and_units() =>
        AssertErrors("""
            model:
              inputs:
                x: { vocab: automatic }
              layers:
                - dense: { units: Auto }
                - dense: { units: }
            """,
            "spec.yaml(3,17): error RG0004: expected an integer or auto for 'vocab', got 'automatic'",
            "spec.yaml(5,23): error RG0004: expected an integer or auto for 'units', got 'Auto'",
            "spec.yaml(6,16): error RG0004: expected an integer or auto for 'units', got nothing");
}
