using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The text dump of each built-in cell (one layer, hidden 2, 3 input features, T=3) at every stage,
/// so a change to the cells, the unroller, autodiff or the passes shows as a diff in review.
/// Snapshots: Printing/Snapshots/CellDumpSnapshotTests.*; accept changes with RNNGRAPH_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class CellDumpSnapshotTests
{
    public static TheoryData<string, string> CellsAndStages()
    {
        var data = new TheoryData<string, string>();
        foreach (var cell in TestSpecs.CellVariants.Keys)
            foreach (var stage in Compilation.Stages)
                data.Add(cell, stage);
        return data;
    }

    [Theory]
    [MemberData(nameof(CellsAndStages))]
    public void Text(string cell, string stage)
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell(cell), stage);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: $"{cell}_{stage}");
    }

    [Fact]
    public void Dot_of_the_unrolled_rnn_tanh()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "unrolled");
        Snapshot.Verify(GraphDotPrinter.Print(graph), extension: "dot");
    }
}
