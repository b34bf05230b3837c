using System.Text.RegularExpressions;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The Graphviz drawing (steps as columns, lanes per layer and direction, backward nodes apart, long unrollings
/// collapsed in the middle). Snapshots: Printing/Snapshots/GraphDrawingSnapshotTests.*.verified.dot; accept changes
/// with RNNGRAPH_ACCEPT_SNAPSHOTS=1 after rendering them (<c>dot -Tsvg</c>) and looking.
/// </summary>
public sealed partial class GraphDrawingSnapshotTests
{
    private const string Lstm = "model:\n  inputs:\n    x: {size: 3}\n  layers:\n    - rnn: {cell: lstm, hidden: 2}\n    - dense: {units: 2, activation: softmax}\n";
    private const string BidirectionalGru = "model:\n  inputs:\n    x: {size: 3}\n  layers:\n    - rnn: {cell: gru, hidden: 2, layers: 2, bidirectional: true}\n    - dense: {units: 2, activation: softmax}\n";
    private const string TwoLayerRnn = "model:\n  inputs:\n    x: {size: 3}\n  layers:\n    - rnn: {cell: rnn_tanh, hidden: 2, layers: 2}\n";

    [Fact]
    public void Lstm_optimized_T3()
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(Lstm), "optimized", steps: 3);
        Snapshot.Verify(GraphDotPrinter.Print(graph), extension: "dot");
    }

    [Fact]
    public void Bidirectional_two_layer_gru_backward_T3()
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(BidirectionalGru), "backward", steps: 3);
        string dot = GraphDotPrinter.Print(graph);
        // Both passes appear: forward lanes for each layer and direction, and their backward lanes.
        foreach (string lane in new[] { "rnn l0 fwd", "rnn l0 rev", "rnn l1 fwd", "rnn l1 rev" })
        {
            Assert.Contains($"label=\"{lane}\"", dot);
            Assert.Contains($"label=\"{lane} (backward)\"", dot);
        }
        Snapshot.Verify(dot, extension: "dot");
    }

    [Fact]
    public void Two_layer_rnn_unrolled_T20_collapses_the_middle()
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(TwoLayerRnn), "unrolled", steps: 20);
        string dot = GraphDotPrinter.Print(graph);

        foreach (int step in new[] { 0, 1, 18, 19 }) Assert.Contains($"subgraph cluster_t{step} {{", dot);
        foreach (int step in Enumerable.Range(2, 16)) Assert.DoesNotContain($"subgraph cluster_t{step} {{", dot);
        Assert.Contains("label=\"t=2..17\"", dot);
        Assert.Contains("… 16 steps …\\nrnn l0 fwd", dot);
        Snapshot.Verify(dot, extension: "dot");
    }

    [Fact]
    public void Threshold_steps_are_drawn_in_full_and_one_more_collapses()
    {
        var at = TestSpecs.Stage(TestSpecs.Compile(TwoLayerRnn), "unrolled", steps: DotOptions.DefaultCollapseAbove);
        var above = TestSpecs.Stage(TestSpecs.Compile(TwoLayerRnn), "unrolled", steps: DotOptions.DefaultCollapseAbove + 1);

        Assert.DoesNotContain("cluster_middle", GraphDotPrinter.Print(at));
        Assert.Contains("cluster_middle", GraphDotPrinter.Print(above));
        Assert.DoesNotContain("cluster_middle", GraphDotPrinter.Print(above, DotOptions.Full));
        Assert.Contains("cluster_legend", GraphDotPrinter.Print(above));
        Assert.DoesNotContain("legend", GraphDotPrinter.Print(above, DotOptions.Default with { Legend = false }));
    }

    [Theory]
    [InlineData("unrolled")]
    [InlineData("backward")]
    [InlineData("optimized")]
    public void Every_node_and_edge_appears_in_the_full_drawing(string stage)
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(Lstm), stage, steps: 2);
        string dot = GraphDotPrinter.Print(graph, DotOptions.Full);

        var declared = NodeDeclaration().Matches(dot).Select(m => m.Groups[1].Value).ToHashSet();
        // Invisible edges (the legend's column, parameter stacks, column anchors) only arrange the drawing.
        var edges = EdgeLine().Matches(dot).Where(m => !m.Value.Contains("style=invis", StringComparison.Ordinal))
                              .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        var numbers = graph.Nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);

        for (int i = 0; i < graph.Nodes.Count; i++) Assert.Contains("n" + i, declared);
        Assert.Equal(graph.Nodes.Count, declared.Count(id => id.StartsWith('n') && id[1..].All(char.IsAsciiDigit)));

        // Each operand is one edge (an operand used twice, as in x * x, is two edges), and nothing else joins nodes.
        var expected = graph.Nodes.SelectMany(n => n.Inputs.Select(i => ("n" + numbers[i], "n" + numbers[n]))).ToList();
        var drawnBetweenNodes = edges.Where(e => !e.Item2.StartsWith("out", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Order().ToList(), drawnBetweenNodes.Order().ToList());

        for (int i = 0; i < graph.Outputs.Count; i++)
        {
            Assert.Contains("out" + i, declared);
            Assert.Contains(("n" + numbers[graph.Outputs[i].Node], "out" + i), edges);
        }
    }

    [Fact]
    public void Backward_nodes_are_those_no_forward_output_needs()
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(Lstm), "backward", steps: 2);
        string dot = GraphDotPrinter.Print(graph, DotOptions.Full);
        var forward = new HashSet<Node>();
        var stack = new Stack<Node>(graph.Outputs.Where(o => !o.Name.StartsWith("grad.", StringComparison.Ordinal)).Select(o => o.Node));
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (forward.Add(n)) foreach (var i in n.Inputs) stack.Push(i);
        }

        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (node.Op.Name is "param" or "const" or "zeros") continue;
            string line = dot.Split('\n').Single(l => l.TrimStart().StartsWith($"n{i} [", StringComparison.Ordinal));
            Assert.Equal(!forward.Contains(node), line.Contains("#c0504d", StringComparison.Ordinal));
        }
        // The upstream-gradient inputs dy[t] are backward inputs.
        Assert.Contains(graph.Nodes, n => n.Op.Name == "input" && n.Attributes.Name == "dy" && !forward.Contains(n));
    }

    [Fact]
    public void Parameters_are_drawn_once_in_their_own_cluster_with_light_edges()
    {
        var graph = TestSpecs.Stage(TestSpecs.Compile(Lstm), "unrolled", steps: 3);
        string dot = GraphDotPrinter.Print(graph);
        string parameters = dot[dot.IndexOf("subgraph cluster_parameters", StringComparison.Ordinal)..];
        parameters = parameters[..parameters.IndexOf("\n  }\n", StringComparison.Ordinal)];

        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            if (graph.Nodes[i].Op.Name != "param") continue;
            Assert.Contains($"n{i} [", parameters);
            Assert.Single(NodeDeclaration().Matches(dot), m => m.Groups[1].Value == "n" + i);
            foreach (Match edge in EdgeLine().Matches(dot).Where(m => m.Groups[1].Value == "n" + i && !m.Value.Contains("style=invis", StringComparison.Ordinal)))
                Assert.Contains("penwidth=0.5", edge.Value);
        }
    }

    [Fact]
    public void Two_compilations_draw_the_same_dot()
    {
        foreach (var options in new[] { DotOptions.Default, DotOptions.Full })
        {
            var first = TestSpecs.Stage(TestSpecs.Compile(BidirectionalGru), "optimized", steps: 8);
            var second = TestSpecs.Stage(TestSpecs.Compile(BidirectionalGru), "optimized", steps: 8);
            Assert.Equal(GraphDotPrinter.Print(first, options), GraphDotPrinter.Print(second, options));
        }
    }

    [GeneratedRegex(@"^\s*(n\d+|out\d+|mid\d+|legend_\w+|anchor_\w+) \[", RegexOptions.Multiline)]
    private static partial Regex NodeDeclaration();

    [GeneratedRegex(@"^\s*(\w+) -> (\w+)\b.*$", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();
}
