using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>Drops every node that no output depends on.</summary>
public sealed class DeadCodeEliminationPass : IGraphPass
{
    public string Name => "dce";

    public Graph Run(Graph graph) => Graph.FromOutputs(Name, graph.Outputs, graph.Info);
}
