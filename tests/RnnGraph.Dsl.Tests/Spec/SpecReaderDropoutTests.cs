using RnnGraph.Dsl.Spec;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>The rnn layer's dropout keys: probabilities in [0, 1).</summary>
public sealed class SpecReaderDropoutTests
{
    [Fact]
    public void Dropout_probabilities_are_read_with_their_locations()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4, layers: 2, dropout: 0.25, recurrent_dropout: 0.1 }
            """);
        Assert.Empty(diagnostics);
        var rnn = Assert.IsType<RnnLayerSpec>(document.Model!.Layers[0]);
        Assert.Equal(0.25, rnn.Dropout!.Value.Value);
        Assert.Equal((5, 57), (rnn.Dropout.Value.Location.Line, rnn.Dropout.Value.Location.Column));
        Assert.Equal(0.1, rnn.RecurrentDropout!.Value.Value);
    }

    [Fact]
    public void A_probability_of_one_or_more_is_an_error() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4, dropout: 1 }
            """,
            "spec.yaml(5,45): error RG0025: dropout probability must be at least 0 and less than 1, got 1");
}
