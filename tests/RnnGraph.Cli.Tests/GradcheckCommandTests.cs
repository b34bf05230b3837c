using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph gradcheck</c>: the compiled backward graph agrees with float64 central differences.</summary>
public sealed class GradcheckCommandTests
{
    public static TheoryData<string> Examples => ExampleNames();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_passes(string name)
    {
        var result = Run("gradcheck", Example(name), "--steps", "3", "--batch", "2", "--max-elements", "12");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        string[] lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith("gradient ", lines[0]);
        Assert.StartsWith("passed: worst relative error ", lines[^1]);
        Assert.Contains("T=3, B=2, float64", lines[^1]);
        Assert.DoesNotContain(lines, l => l.EndsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void Lists_a_line_per_parameter_gradient()
    {
        var result = Run("gradcheck", Example("mgu-custom-cell.yaml"), "--steps", "2", "--max-elements", "4");

        Assert.Equal(0, result.ExitCode);
        foreach (string parameter in new[] { "rnn.weight_ih_l0", "rnn.weight_hf_l1", "rnn.weight_hn_l0", "rnn.bias_ih_l1", "dense.weight", "dense.bias" })
            Assert.Contains($"\ngrad.{parameter} ", result.Out);
    }

    private const string EncoderDecoderSpec = """
        model:
          topology: encoder-decoder
          inputs:
            src: { vocab: 7 }
          encoder:
            - embed: { dim: 3 }
            - rnn: { cell: lstm, hidden: 3, bidirectional: true }
          bridge: concat
          attention: general
          decoder:
            - embed: { dim: 3 }
            - rnn: { cell: lstm, hidden: 6 }
            - dense: { units: 5 }
          max_output_length: 8
        """;

    [Fact]
    public void Checks_an_encoder_decoder_over_source_and_decoder_steps()
    {
        using var folder = new TempFolder();
        var result = Run("gradcheck", folder.Write("seq2seq.yaml", EncoderDecoderSpec), "--steps", "4", "--target-steps", "3", "--batch", "3", "--max-elements", "8");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        string[] lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith("gradient ", lines[0]);
        foreach (string parameter in new[] { "encoder.embed.weight", "encoder.rnn.weight_hh_l0_reverse", "attention.key.weight", "attention.combine.weight",
                                             "decoder.embed.weight", "decoder.rnn.weight_ih_l0", "decoder.dense.weight", "decoder.dense.bias" })
            Assert.Contains(lines, l => l.StartsWith($"grad.{parameter} ", StringComparison.Ordinal));
        // Token ids (source and decoder inputs) and lengths get no differences.
        Assert.DoesNotContain(lines, l => l.StartsWith("grad.src", StringComparison.Ordinal) || l.StartsWith("grad.decoder_input", StringComparison.Ordinal));
        // Header, 18 parameters (embed 1, encoder 2 directions × 4, attention 2, decoder embed 1, cell 4, dense 2), summary.
        Assert.Equal(1 + 18 + 1, lines.Length);
        Assert.DoesNotContain(lines, l => l.EndsWith("FAIL", StringComparison.Ordinal));
        Assert.StartsWith("passed: worst relative error ", lines[^1]);
        Assert.Contains("S=4, T=3, B=3, float64", lines[^1]);
    }

    [Fact]
    public void Checks_the_sampled_teacher_forcing_graph()
    {
        using var folder = new TempFolder();
        var result = Run("gradcheck", folder.Write("seq2seq.yaml", EncoderDecoderSpec), "--teacher-forcing", "0.5", "--batch", "3", "--max-elements", "4");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("argmax", result.Out);
        Assert.Contains("S=4, T=4, B=3, teacher forcing 0.5, float64", result.Out.TrimEnd('\n').Split('\n')[^1]);
    }

    [Fact]
    public void Encoder_decoder_options_are_refused_for_other_topologies()
    {
        var result = Run("gradcheck", Example("mgu-custom-cell.yaml"), "--target-steps", "3");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --target-steps applies to encoder-decoder specs only; remove it", result.ErrorLines[0]);
        result = Run("gradcheck", Example("mgu-custom-cell.yaml"), "--teacher-forcing", "1.5");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --teacher-forcing needs a number in [0,1], got '1.5'", result.ErrorLines[0]);
    }
}
