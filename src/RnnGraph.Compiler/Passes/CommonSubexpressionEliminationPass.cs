using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>Merges structurally equal nodes by rebuilding through the hash-consing builder.</summary>
public sealed class CommonSubexpressionEliminationPass : IGraphPass
{
    public string Name => "cse";

    public Graph Run(Graph graph) => GraphRewriter.IsHashConsed(graph)
        ? GraphRewriter.Renumber(graph, Name)
        : GraphRewriter.Rebuild(graph, Name, simplify: false);
}
