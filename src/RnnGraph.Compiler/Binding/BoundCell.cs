using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>A cell parameter with concrete dimensions (for one layer's hidden and input sizes).</summary>
public sealed record BoundParam(string Name, int[] Dims)
{
    public bool IsMatrix => Dims.Length == 2;
    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}

/// <summary>
/// One name defined by the equations: <c>Name = Value</c>, with the text it came from. For a tuple
/// assignment (<c>a, b = chunk(e, 2)</c>) <see cref="Targets"/> names all pieces, labelling the shared <c>e</c>.
/// </summary>
public sealed record BoundDefinition(string Name, BoundExpr Value, TextLocation Location, string EquationText, string Targets);

/// <summary>
/// A cell checked against concrete sizes: its parameters (biases already dropped when the layer has
/// none), its states and its definitions in dependency order, ready to be instantiated at every step.
/// </summary>
public sealed record BoundCell(
    string Name,
    int Hidden,
    int Input,
    IReadOnlyList<BoundParam> Params,
    IReadOnlyList<string> States,
    IReadOnlyList<BoundDefinition> Definitions,
    string Output,
    int OutputSize);
