using RnnGraph.Dsl.Diagnostics;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Files that are not readable YAML, are empty, or break the one-document, unique-key rules.</summary>
public sealed class SpecReaderYamlErrorTests
{
    [Fact]
    public void Unclosed_flow_mapping_points_at_its_brace_in_the_contract_format()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 32
                - dense: { units: 3 }
            """);

        Assert.Null(document.Model);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(
            "spec.yaml(5,12): error RG0001: invalid YAML: this '{' is not closed by a matching '}'\n" +
            "    5 |     - rnn: { cell: lstm, hidden: 32\n" +
            "      |            ^\n",
            DiagnosticFormatter.Format(diagnostic));
    }

    [Fact]
    public void Unclosed_flow_sequence_points_at_its_bracket() =>
        AssertErrors("model:\n  inputs: [1, 2\n",
            "spec.yaml(2,11): error RG0001: invalid YAML: this '[' is not closed by a matching ']'");

    [Fact]
    public void Bad_indentation_is_reported_where_the_parser_stops() =>
        AssertErrors("model:\n  inputs:\n    x: {size: 3}\n   layers: []\n",
            "spec.yaml(4,4): error RG0001: invalid YAML: while parsing a block mapping, did not find expected key");

    [Fact]
    public void Tab_indentation_points_at_the_tab() =>
        AssertErrors("model:\n  inputs:\n\tx: 1\n",
            "spec.yaml(3,1): error RG0001: invalid YAML: while scanning a mapping, found invalid tab as indentation");

    /// <summary>Found by the long fuzz run: the prescan accepts this, and YamlDotNet's loader then threw an ArgumentException.</summary>
    [Fact]
    public void A_key_less_line_the_loader_cannot_build_is_a_located_error() =>
        AssertErrors("model:\n  inputs:\n   : auto }\n  layers:\n    - rnn: { cell: lstm, hidden: 4 }\n",
            "spec.yaml(4,3): error RG0001: invalid YAML: the text cannot be parsed here or just before this point (check the line above for a key without a name or an unbalanced bracket)");

    [Fact]
    public void Alias_without_anchor_points_at_the_alias() =>
        AssertErrors("model: *nope\n",
            "spec.yaml(1,8): error RG0001: invalid YAML: alias '*nope' refers to no anchor defined before it");

    [Fact]
    public void Anchors_and_aliases_are_allowed()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs:
                x: &features { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 2 }
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(3, document.Model!.Inputs[0].Size!.Value.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    [InlineData("---\n")]
    public void Empty_file(string text) =>
        AssertErrors(text, "spec.yaml(1,1): error RG0002: the spec file is empty; it needs a 'model' section");

    [Fact]
    public void Empty_file_is_formatted_without_a_source_line()
    {
        var diagnostic = Assert.Single(Read("").Diagnostics);
        Assert.Equal("spec.yaml(1,1): error RG0002: the spec file is empty; it needs a 'model' section\n", DiagnosticFormatter.Format(diagnostic));
    }

    [Fact]
    public void File_without_model_section() =>
        AssertErrors("cells: {}\n", "spec.yaml(1,1): error RG0003: the spec has no 'model' section");

    [Fact]
    public void Root_must_be_a_mapping() =>
        AssertErrors("- a\n- b\n", "spec.yaml(1,1): error RG0004: expected a mapping with a 'model' section for the spec, got a sequence");

    [Fact]
    public void Duplicate_option_key_points_at_the_second_one_in_the_contract_format()
    {
        var (_, diagnostics) = Read("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - dense: { units: 2,
                           units: 3 }
            """);

        Assert.Equal(
            "spec.yaml(6,16): error RG0010: duplicate key 'units' (first given on line 5)\n" +
            "    6 |                units: 3 }\n" +
            "      |                ^~~~~\n",
            DiagnosticFormatter.Format(Assert.Single(diagnostics)));
    }

    [Fact]
    public void All_duplicates_are_reported_and_named_by_what_they_declare() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 3 }
                x: { size: 4 }
              layers: []
              layers: []
            cells:
              mgu:
                params:
                  w: [hidden]
                  w: [hidden]
              mgu: {}
            """,
            "spec.yaml(4,5): error RG0011: duplicate input 'x' (first declared on line 3)",
            "spec.yaml(6,3): error RG0010: duplicate key 'layers' (first given on line 5)",
            "spec.yaml(11,7): error RG0011: duplicate parameter 'w' in cell 'mgu' (first declared on line 10)",
            "spec.yaml(12,3): error RG0011: duplicate cell 'mgu' (first declared on line 8)");

    [Fact]
    public void Second_document_is_an_error() =>
        AssertErrors("""
            model:
              inputs: { x: { size: 1 } }
              layers: [ { dense: { units: 1 } } ]
            ---
            model: {}
            """,
            "spec.yaml(5,1): error RG0019: a spec file holds a single YAML document; this is a second one");

    [Fact]
    public void No_prefix_of_a_valid_spec_throws()
    {
        const string text = """
            model:
              inputs:
                x: { size: 16 }
              layers:
                - rnn: { name: 'enc', cell: "lstm", hidden: 32, layers: 2, bidirectional: true }
                - dense:
                    units: 10
                    activation: softmax
            """;
        for (int length = 0; length <= text.Length; length++)
        {
            var (document, _) = Read(text[..length]);
            Assert.NotNull(document);
        }
    }
}
