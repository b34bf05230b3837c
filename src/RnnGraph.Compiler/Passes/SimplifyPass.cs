using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>
/// Applies each op's simplification rule (zero propagation such as <c>W @ 0 → 0</c>, <c>a + 0 → a</c>):
/// absent initial states, dropped biases and vanishing gradients stop costing work.
/// </summary>
public sealed class SimplifyPass : IGraphPass
{
    public string Name => "simplify";

    public Graph Run(Graph graph) => GraphRewriter.Rebuild(graph, Name, simplify: true);
}
