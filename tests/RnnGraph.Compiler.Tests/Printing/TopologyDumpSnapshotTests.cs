using RnnGraph.Compiler.Printing;
using RnnGraph.Dsl.Text;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The unrolled graph (T=3) of a small one-to-many model in each condition mode, so a change to how the condition
/// and the fed-back tokens enter shows as a diff in review. Accept changes with RNNGRAPH_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class TopologyDumpSnapshotTests
{
    [Theory]
    [InlineData("first-step")]
    [InlineData("state")]
    public void One_to_many_unrolled(string condition)
    {
        var compilation = Compilation.Create(new SourceText("gen.yaml",
            $"model:\n  topology: one-to-many\n  condition: {condition}\n  inputs:\n    gender: {{ size: 2 }}\n  layers:\n" +
            "    - rnn: { cell: rnn_tanh, hidden: 2 }\n    - dense: { units: 3 }\n"));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var graph = compilation.Stage("unrolled", 3);
        RnnGraph.Compiler.Passes.GraphVerifier.Verify(graph);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: condition);
    }
}
