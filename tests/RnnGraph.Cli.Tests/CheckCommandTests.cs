using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph check</c>: every example passes; a broken spec gets located errors and exit 1.</summary>
public sealed class CheckCommandTests
{
    public static TheoryData<string> Examples => ExampleNames();

    [Fact]
    public void Examples_folder_holds_the_example_specs() =>
        Assert.True(Examples.Count >= 4, $"expected at least 4 specs in {RepoPaths.Examples}, found {Examples.Count}");

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_passes(string name)
    {
        string path = Example(name);
        var result = Run("check", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}: ok \(\d+ layers?, \d+ parameter tensors, \d+ weights\)\n$", result.Out);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_starts_with_a_comment_saying_what_it_shows(string name) =>
        Assert.StartsWith("# ", File.ReadAllText(Example(name)));

    [Fact]
    public void Broken_spec_prints_each_error_located_with_its_source_line_and_exits_1()
    {
        using var temp = new TempFolder();
        string path = temp.Write("broken.yaml", """
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + undefined_bias)
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: mycell, hidden: 4 }
                - dense: { units: 2, activation: softmx }
            """.ReplaceLineEndings("\n"));

        var result = Run("check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"""
            {path}(14,38): error RG0015: unknown activation 'softmx'; did you mean 'softmax'?
               14 |     - dense: {"{"} units: 2, activation: softmx {"}"}
                  |                                      ^~~~~~

            """, result.Out);
        Assert.Empty(result.Error);

        // Once the reader is satisfied, the binder's errors point inside the equation.
        File.WriteAllText(path, File.ReadAllText(path).Replace("softmx", "softmax"));
        result = Run("check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"""
            {path}(7,32): error RG0202: 'undefined_bias' is not defined in this cell; define it with an equation or declare it under params or state
                7 |       h = tanh(weight_ih @ x + undefined_bias)
                  |                                ^~~~~~~~~~~~~~

            """, result.Out);
    }

    [Fact]
    public void Missing_spec_file_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("nope.yaml");

        var result = Run("check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: spec file '{path}' does not exist\n", result.Error);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\u0001 binary")]
    [InlineData("- a\n- b\n")]
    [InlineData("model: [")]
    [InlineData("model:\n\tinputs: 3\n")]
    [InlineData("model:\n  inputs: { x: { size: 3 } }\n  layers: [ { rnn: { cell: gru, hidden: 4, layers: 0 } } ]\n")]
    [InlineData("model:\n  inputs: { x: { size: 3 } }\n  layers: []\n")]
    [InlineData("model:\n  inputs: { x: { size: 3 }, y: { size: 2 } }\n  layers: [ { dense: { units: 2 } } ]\n")]
    [InlineData("model:\n  inputs: { x: { size: 3 } }\n  layers: [ { rnn: { cell: gru, hidden: 2000000000 } } ]\n")]
    [InlineData("cells:\n  c: { params: { w: [hidden, input, 2] }, state: [h], equations: 'h = tanh(w @ x', output: h }\nmodel:\n  inputs: { x: { size: 3 } }\n  layers: [ { rnn: { cell: c, hidden: 4 } } ]\n")]
    public void Malformed_specs_give_errors_never_a_crash(string text)
    {
        using var temp = new TempFolder();
        string path = temp.Write("spec.yaml", text);

        var result = Run("check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{path}(", result.Out);
        Assert.Contains("): error RG", result.Out);
    }

    [Fact]
    public void Recursive_yaml_alias_is_an_error()
    {
        using var temp = new TempFolder();
        string path = temp.Write("spec.yaml", "model: &a\n  inputs: *a\n");

        var result = Run("check", path);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{path}(2,11): error RG0001: invalid YAML: alias '*a' refers to a node that contains it; a spec cannot be recursive", result.Out);
    }
}
