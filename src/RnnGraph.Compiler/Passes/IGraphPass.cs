using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>A named graph-to-graph rewrite; its output can be dumped under its name.</summary>
public interface IGraphPass
{
    string Name { get; }
    Graph Run(Graph graph);
}
