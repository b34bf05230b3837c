using RnnGraph.Dsl.Spec;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>A valid model section read into the located spec model.</summary>
public sealed class SpecReaderModelTests
{
    private const string Yaml = """
        model:
          inputs:
            x: { size: 16 }
            tokens:
              vocab: 100
          layers:
            - embed: { dim: 8 }
            - rnn: { cell: lstm, hidden: 32, layers: 2, bidirectional: true, bias: true, batch_first: false }
            - rnn: { name: second, cell: gru, hidden: 8, reset_after: false }
            - rnn:
                cell: lstm
                hidden: 4
                peepholes: true
            - dense: { units: 10, activation: softmax, bias: false, name: out }
        """;

    [Fact]
    public void Reads_inputs_with_values_and_locations()
    {
        var (document, diagnostics) = Read(Yaml);

        Assert.Empty(diagnostics);
        var model = Assert.IsType<ModelSpec>(document.Model);
        Assert.Equal(2, model.Inputs.Count);

        var x = model.Inputs[0];
        Assert.Equal("x", x.Name.Value);
        Assert.Equal((3, 5), (x.Name.Location.Line, x.Name.Location.Column));
        Assert.Equal(16, x.Size!.Value.Value);
        Assert.Equal((3, 16), (x.Size.Value.Location.Line, x.Size.Value.Location.Column));
        Assert.Equal("16", TextOf(x.Size.Value.Location));
        Assert.Null(x.Vocab);
        Assert.Equal("x: { size: 16 }", TextOf(x.Location));

        var tokens = model.Inputs[1];
        Assert.Equal("tokens", tokens.Name.Value);
        Assert.Null(tokens.Size);
        Assert.Equal(100, tokens.Vocab!.Value.Value);
        Assert.Equal((5, 14), (tokens.Vocab.Value.Location.Line, tokens.Vocab.Value.Location.Column));
    }

    [Fact]
    public void Reads_every_layer_kind_with_its_options()
    {
        var (document, diagnostics) = Read(Yaml);

        Assert.Empty(diagnostics);
        var layers = document.Model!.Layers;
        Assert.Equal(5, layers.Count);

        var embed = Assert.IsType<EmbedLayerSpec>(layers[0]);
        Assert.Equal("embed", embed.Kind.Value);
        Assert.Null(embed.Name);
        Assert.Equal(8, embed.Dim.Value);
        Assert.Equal("embed: { dim: 8 }", TextOf(embed.Location));

        var lstm = Assert.IsType<RnnLayerSpec>(layers[1]);
        Assert.Equal("rnn", lstm.Kind.Value);
        Assert.Equal((8, 7), (lstm.Kind.Location.Line, lstm.Kind.Location.Column));
        Assert.Equal("lstm", lstm.Cell.Value);
        Assert.Equal((8, 20), (lstm.Cell.Location.Line, lstm.Cell.Location.Column));
        Assert.Equal(32, lstm.Hidden.Value);
        Assert.Equal("32", TextOf(lstm.Hidden.Location));
        Assert.Equal(2, lstm.NumLayers!.Value.Value);
        Assert.True(lstm.Bidirectional!.Value.Value);
        Assert.True(lstm.Bias!.Value.Value);
        Assert.False(lstm.BatchFirst!.Value.Value);
        Assert.Equal("false", TextOf(lstm.BatchFirst.Value.Location));
        Assert.Null(lstm.ResetAfter);
        Assert.Null(lstm.Peepholes);

        var gru = Assert.IsType<RnnLayerSpec>(layers[2]);
        Assert.Equal("second", gru.Name!.Value.Value);
        Assert.Equal((9, 20), (gru.Name.Value.Location.Line, gru.Name.Value.Location.Column));
        Assert.False(gru.ResetAfter!.Value.Value);
        Assert.Null(gru.NumLayers);
        Assert.Null(gru.Bidirectional);

        var block = Assert.IsType<RnnLayerSpec>(layers[3]);
        Assert.Equal(4, block.Hidden.Value);
        Assert.Equal((12, 17), (block.Hidden.Location.Line, block.Hidden.Location.Column));
        Assert.True(block.Peepholes!.Value.Value);
        Assert.Equal((10, 7), (block.Location.Line, block.Location.Column));
        Assert.Equal("rnn:\n        cell: lstm\n        hidden: 4\n        peepholes: true", TextOf(block.Location));

        var dense = Assert.IsType<DenseLayerSpec>(layers[4]);
        Assert.Equal(10, dense.Units.Value);
        Assert.Equal("softmax", dense.Activation!.Value.Value);
        Assert.Equal((14, 39), (dense.Activation.Value.Location.Line, dense.Activation.Value.Location.Column));
        Assert.False(dense.Bias!.Value.Value);
        Assert.Equal("out", dense.Name!.Value.Value);
    }

    [Fact]
    public void Model_location_covers_the_section()
    {
        var (document, _) = Read(Yaml);

        var location = document.Model!.Location;
        Assert.Equal((1, 1), (location.Line, location.Column));
        Assert.EndsWith("name: out }", TextOf(location));
        Assert.Empty(document.Cells);
    }

    [Fact]
    public void Windows_line_breaks_keep_positions()
    {
        var (document, diagnostics) = Read(Yaml.Replace("\n", "\r\n"));

        Assert.Empty(diagnostics);
        var lstm = Assert.IsType<RnnLayerSpec>(document.Model!.Layers[1]);
        Assert.Equal((8, 20), (lstm.Cell.Location.Line, lstm.Cell.Location.Column));
        Assert.Equal("lstm", TextOf(lstm.Cell.Location));
    }

    [Fact]
    public void Quoted_values_are_accepted_and_located_at_their_quotes()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs: { "x": { size: 2 } }
              layers:
                - rnn: { cell: 'gru', hidden: 2 }
            """);

        Assert.Empty(diagnostics);
        var rnn = Assert.IsType<RnnLayerSpec>(document.Model!.Layers[0]);
        Assert.Equal("gru", rnn.Cell.Value);
        Assert.Equal("'gru'", TextOf(rnn.Cell.Location));
        Assert.Equal("x", document.Model.Inputs[0].Name.Value);
    }
}
