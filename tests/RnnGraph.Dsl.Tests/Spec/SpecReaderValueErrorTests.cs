using RnnGraph.Dsl.Diagnostics;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Values of the wrong type, non-positive sizes, invalid names, empty lists and the size/vocab rule.</summary>
public sealed class SpecReaderValueErrorTests
{
    [Fact]
    public void Wrong_value_types_are_located_at_the_value() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: abc }
              layers:
                - rnn: { cell: lstm, hidden: 32.5, bidirectional: yes }
                - rnn: { cell: [a], hidden: 2 }
            """,
            "spec.yaml(3,16): error RG0004: expected an integer for 'size', got 'abc'",
            "spec.yaml(5,34): error RG0004: expected an integer for 'hidden', got '32.5'",
            "spec.yaml(5,55): error RG0004: expected a boolean (true or false) for 'bidirectional', got 'yes'",
            "spec.yaml(6,20): error RG0004: expected a name for 'cell', got a sequence");

    [Fact]
    public void Hidden_abc_in_the_contract_format()
    {
        var (_, diagnostics) = Read("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: abc }
            """);

        Assert.Equal(
            "spec.yaml(5,33): error RG0004: expected an integer for 'hidden', got 'abc'\n" +
            "    5 |     - rnn: { cell: gru, hidden: abc }\n" +
            "      |                                 ^~~\n",
            DiagnosticFormatter.Format(Assert.Single(diagnostics)));
    }

    [Fact]
    public void Empty_values_are_located_at_their_key() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 2, layers: }
                - rnn: { cell: ~, hidden: 2 }
            """,
            "spec.yaml(5,36): error RG0004: expected an integer for 'layers', got nothing",
            "spec.yaml(6,14): error RG0004: expected a name for 'cell', got null");

    [Fact]
    public void Sections_of_the_wrong_type() =>
        AssertErrors("""
            model:
              inputs: [x]
              layers: {}
            cells: 3
            """,
            "spec.yaml(2,11): error RG0004: expected a mapping for 'inputs', got a sequence",
            "spec.yaml(3,11): error RG0004: expected a sequence for 'layers', got a mapping",
            "spec.yaml(4,8): error RG0004: expected a mapping for 'cells', got '3'");

    [Fact]
    public void Model_of_the_wrong_type() =>
        AssertErrors("model: 3\n", "spec.yaml(1,8): error RG0004: expected a mapping for 'model', got '3'");

    [Fact]
    public void Non_positive_sizes_name_what_they_size() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 0 }
                y: { vocab: -2 }
              layers:
                - embed: { dim: 0 }
                - rnn: { cell: gru, hidden: 0, layers: -1 }
                - dense: { units: 0 }
            """,
            "spec.yaml(3,16): error RG0007: input size must be a positive integer, got 0",
            "spec.yaml(4,17): error RG0007: vocabulary size must be a positive integer, got -2",
            "spec.yaml(6,21): error RG0007: embedding dimension must be a positive integer, got 0",
            "spec.yaml(7,33): error RG0007: hidden size must be a positive integer, got 0",
            "spec.yaml(7,44): error RG0007: number of layers must be a positive integer, got -1",
            "spec.yaml(8,23): error RG0007: number of units must be a positive integer, got 0");

    [Fact]
    public void Input_needs_exactly_one_of_size_and_vocab() =>
        AssertErrors("""
            model:
              inputs:
                z: {}
                w: { size: 2, vocab: 3 }
                v: { vocab: 3, size: 2 }
              layers:
                - dense: { units: 2 }
            """,
            "spec.yaml(3,5): error RG0008: input 'z' needs either 'size' (features per step) or 'vocab' (token ids)",
            "spec.yaml(4,19): error RG0009: input 'w' has both 'size' and 'vocab'; use 'size' for features or 'vocab' for token ids",
            "spec.yaml(5,20): error RG0009: input 'v' has both 'size' and 'vocab'; use 'size' for features or 'vocab' for token ids");

    [Fact]
    public void Input_must_be_a_mapping() =>
        AssertErrors("""
            model:
              inputs:
                v: 7
                u:
              layers:
                - dense: { units: 2 }
            """,
            "spec.yaml(3,8): error RG0004: expected a mapping such as { size: 16 } for input 'v', got '7'",
            "spec.yaml(4,5): error RG0004: expected a mapping such as { size: 16 } for input 'u', got nothing");

    [Fact]
    public void Names_must_be_identifiers() =>
        AssertErrors("""
            model:
              inputs:
                2x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 2, name: my.layer }
            """,
            "spec.yaml(3,5): error RG0017: '2x' is not a valid name; use letters, digits and '_', not starting with a digit",
            "spec.yaml(5,42): error RG0017: 'my.layer' is not a valid name; use letters, digits and '_', not starting with a digit");

    [Fact]
    public void Inputs_and_layers_must_not_be_empty() =>
        AssertErrors("""
            model:
              inputs: {}
              layers: []
            """,
            "spec.yaml(2,3): error RG0018: 'inputs' must not be empty",
            "spec.yaml(3,3): error RG0018: 'layers' must not be empty");
}
