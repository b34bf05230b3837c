using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Compiler.Printing;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>
/// The shortcuts that make compiling fast must give the graphs the plain paths give: renumbering a hash-consed graph
/// is what a rebuild through a fresh builder gives, collecting the nodes of one builder is the sorted reachable set.
/// </summary>
public sealed class FastCopyPathsTests
{
    private const string StackedBidirectional =
        "model:\n" +
        "  inputs:\n" +
        "    x: {size: 3}\n" +
        "  layers:\n" +
        "    - rnn: {cell: lstm, hidden: 2, layers: 2, bidirectional: true}\n" +
        "    - dense: {units: 1}\n";

    public static TheoryData<string, string> Graphs()
    {
        var data = new TheoryData<string, string>();
        foreach (string variant in TestSpecs.CellVariants.Keys)
            foreach (string stage in new[] { "unrolled", "backward", "simplify", "time-batching" })
                data.Add(variant, stage);
        data.Add("stacked-bidirectional", "backward");
        data.Add("stacked-bidirectional", "optimized");
        return data;
    }

    private static Graph Stage(string variant, string stage) => TestSpecs.Stage(
        variant == "stacked-bidirectional" ? TestSpecs.Compile(StackedBidirectional) : TestSpecs.CompileCell(variant), stage);

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Cse_of_a_hash_consed_graph_is_the_full_rebuild(string variant, string stage)
    {
        var graph = Stage(variant, stage);
        Assert.True(GraphRewriter.IsHashConsed(graph));

        var fast = new CommonSubexpressionEliminationPass().Run(graph);
        var rebuilt = GraphRewriter.Rebuild(graph, "cse", simplify: false);

        GraphVerifier.Verify(fast);
        Assert.Equal(GraphTextPrinter.Print(rebuilt), GraphTextPrinter.Print(fast));
        Assert.Equal(rebuilt.Nodes.Select(n => n.Id), fast.Nodes.Select(n => n.Id));
        Assert.Equal(rebuilt.Outputs.Select(o => o.Key), fast.Outputs.Select(o => o.Key));
    }

    [Fact]
    public void A_graph_from_two_builders_is_not_hash_consed()
    {
        var b1 = new GraphBuilder();
        var b2 = new GraphBuilder();
        var graph = Graph.FromOutputs("two", [new GraphOutput("a", -1, b1.Apply("tanh", b1.Input("x", 0, new Shape(2)))),
                                              new GraphOutput("b", -1, b2.Apply("tanh", b2.Input("x", 0, new Shape(2))))], new GraphInfo(1, false, []));
        Assert.False(GraphRewriter.IsHashConsed(graph));
        Assert.Equal(2, new CommonSubexpressionEliminationPass().Run(graph).Nodes.Count);
    }

    /// <summary>Every node an output reaches, nothing else, in id order: checked against a plain search.</summary>
    [Theory]
    [MemberData(nameof(Graphs))]
    public void The_nodes_of_a_graph_are_what_its_outputs_reach_in_id_order(string variant, string stage)
    {
        var graph = Stage(variant, stage);
        var reached = new HashSet<Node>();
        var pending = new Stack<Node>(graph.Outputs.Select(o => o.Node));
        while (pending.TryPop(out var node))
            if (reached.Add(node))
                foreach (var input in node.Inputs) pending.Push(input);

        Assert.Equal(reached.OrderBy(n => n.Id), graph.Nodes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compilation_records_every_phase_it_runs(bool verify)
    {
        var compilation = TestSpecs.Compile(StackedBidirectional);
        compilation.VerifyEachPass = verify;
        compilation.Timings = new CompileTimings();
        var graph = compilation.Stage("optimized", 4);

        var recorded = compilation.Timings.Phases;
        string[] stages = ["unroll", "autodiff", .. Compilation.OptimizingPasses().Select(p => p.Name)];
        // With the verifier on, each stage is followed by its check.
        Assert.Equal(verify ? stages.SelectMany(s => new[] { s, "verify" }) : stages, recorded.Select(p => p.Name));
        Assert.All(recorded, p => Assert.True(p.Milliseconds >= 0 && p.AllocatedBytes >= 0, p.ToString()));
        var phases = recorded.Where(p => p.Name != "verify").ToList();
        Assert.All(phases, p => Assert.True(p.Milliseconds >= 0 && p.AllocatedBytes >= 0 && p.Nodes > 0, p.ToString()));
        Assert.All(phases, p => Assert.True(p.CpuMilliseconds is null or >= 0, p.ToString()));
        Assert.Equal(graph.Nodes.Count, phases[^1].Nodes);
        Assert.Equal(compilation.Stage("unrolled", 4).Nodes.Count, phases[0].Nodes);
        Assert.Equal(recorded.Sum(p => p.Milliseconds), compilation.Timings.TotalMilliseconds, 6);
    }
}
