using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Tests;

/// <summary>Small specs and compiled stages for the compiler tests; every stage returned has passed the verifier.</summary>
internal static class TestSpecs
{
    /// <summary>
    /// The built-in cell variants a layer can select, by a short name used in snapshot file names:
    /// the rnn layer's options after <c>hidden: 2</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CellVariants = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rnn_tanh"] = "cell: rnn_tanh",
        ["rnn_relu"] = "cell: rnn_relu",
        ["gru"] = "cell: gru",
        ["gru_reset_before"] = "cell: gru, reset_after: false",
        ["lstm"] = "cell: lstm",
        ["lstm_peepholes"] = "cell: lstm, peepholes: true",
    };

    /// <summary>One recurrent layer with hidden size 2 over 3 input features.</summary>
    public static string SingleLayer(string cellOptions) =>
        "model:\n" +
        "  inputs:\n" +
        "    x: {size: 3}\n" +
        "  layers:\n" +
        $"    - rnn: {{{cellOptions}, hidden: 2}}\n";

    public static Compilation Compile(string yaml, string path = "test.yaml")
    {
        var compilation = Compilation.Create(new SourceText(path, yaml));
        Assert.False(compilation.HasErrors, DiagnosticFormatter.FormatAll(compilation.Diagnostics.Sorted()));
        return compilation;
    }

    public static Compilation CompileCell(string variant) => Compile(SingleLayer(CellVariants[variant]));

    /// <summary>
    /// A stage, checked by the verifier. <see cref="Compilation.VerifyEachPass"/> is init-only on an object
    /// only the factory creates, so tests verify the stage result themselves (and Debug builds verify every pass).
    /// </summary>
    public static Graph Stage(Compilation compilation, string stage, int steps = 3)
    {
        var graph = compilation.Stage(stage, steps);
        GraphVerifier.Verify(graph);
        return graph;
    }

    public static int CountOp(Graph graph, string op) => graph.Nodes.Count(n => n.Op.Name == op);

    /// <summary>A graph with one output <c>y</c> from nodes built by hand.</summary>
    public static Graph Single(Node output, string stage = "test") =>
        Graph.FromOutputs(stage, [new GraphOutput("y", -1, output)], new GraphInfo(1, false, []));
}
