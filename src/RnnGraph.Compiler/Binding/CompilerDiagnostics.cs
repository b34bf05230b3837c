using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>
/// Every diagnostic the compiler reports, with its code (RG02xx). One method per mistake, so each
/// message is written once.
/// </summary>
public static class CompilerDiagnostics
{
    public static void ReportUnknownCell(this DiagnosticBag bag, TextLocation at, string name, string? suggestion, IEnumerable<string> known) =>
        bag.Report("RG0201", at, $"unknown cell '{name}'" + (suggestion is not null ? $"; did you mean '{suggestion}'?" : $"; known cells: {string.Join(", ", known)}"));

    public static void ReportUndefinedName(this DiagnosticBag bag, TextLocation at, string name, string? suggestion) =>
        bag.Report("RG0202", at, $"'{name}' is not defined in this cell" + (suggestion is not null ? $"; did you mean '{suggestion}'?" : "; define it with an equation or declare it under params or state"));

    public static void ReportShapeMismatch(this DiagnosticBag bag, TextLocation at, string operation, string left, string leftShape, string right, string rightShape) =>
        bag.Report("RG0203", at, $"shape mismatch in '{operation}': {left} is {leftShape} but {right} is {rightShape}");

    public static void ReportStateNeverAssigned(this DiagnosticBag bag, TextLocation at, string state) =>
        bag.Report("RG0204", at, $"state '{state}' is never assigned; add an equation '{state} = ...'");

    public static void ReportDuplicateDefinition(this DiagnosticBag bag, TextLocation at, string name) =>
        bag.Report("RG0205", at, $"'{name}' is assigned more than once; each name gets exactly one equation");

    public static void ReportChunkArity(this DiagnosticBag bag, TextLocation at, int pieces, int targets) =>
        bag.Report("RG0206", at, $"chunk(..., {pieces}) gives {pieces} values but {targets} name{(targets == 1 ? " is" : "s are")} assigned");

    public static void ReportCycle(this DiagnosticBag bag, TextLocation at, IEnumerable<string> cycle) =>
        bag.Report("RG0207", at, $"cycle inside one step: {string.Join(" -> ", cycle)}; use s[t-1] to read a state's previous value");

    public static void ReportLayerCannotFollow(this DiagnosticBag bag, TextLocation at, string layer, string previous, string why) =>
        bag.Report("RG0208", at, $"layer '{layer}' cannot follow {previous}: {why}");

    public static void ReportUnknownFunction(this DiagnosticBag bag, TextLocation at, string name, string? suggestion, IEnumerable<string> known) =>
        bag.Report("RG0209", at, $"unknown function '{name}'" + (suggestion is not null ? $"; did you mean '{suggestion}'?" : $"; available: {string.Join(", ", known)}"));

    public static void ReportArgumentCount(this DiagnosticBag bag, TextLocation at, string function, string expected, int got) =>
        bag.Report("RG0210", at, $"{function} takes {expected}, got {got}");

    public static void ReportPreviousOfNonState(this DiagnosticBag bag, TextLocation at, string name) =>
        bag.Report("RG0211", at, $"'{name}[t-1]' is not allowed: only states (declared under state:) have a previous value");

    public static void ReportAssignToReadOnly(this DiagnosticBag bag, TextLocation at, string name, string what) =>
        bag.Report("RG0212", at, $"cannot assign to '{name}': it is {what}");

    public static void ReportStateSize(this DiagnosticBag bag, TextLocation at, string state, int hidden, string shape) =>
        bag.Report("RG0213", at, $"state '{state}' must have shape [{hidden}] (hidden) but its equation gives {shape}");

    public static void ReportBadDimension(this DiagnosticBag bag, TextLocation at, string problem) =>
        bag.Report("RG0214", at, $"invalid parameter dimension: {problem}");

    public static void ReportOptionNotForCell(this DiagnosticBag bag, TextLocation at, string option, string cell, string validFor) =>
        bag.Report("RG0215", at, $"'{option}' does not apply to cell '{cell}'; it is an option of {validFor}");

    public static void ReportUndefinedOutput(this DiagnosticBag bag, TextLocation at, string name) =>
        bag.Report("RG0216", at, $"output '{name}' is not a state or a value defined by the equations");

    public static void ReportModelInputs(this DiagnosticBag bag, TextLocation at, string problem) =>
        bag.Report("RG0217", at, problem);

    public static void ReportMatMulNeedsMatrix(this DiagnosticBag bag, TextLocation at, string left, string shape) =>
        bag.Report("RG0218", at, $"the left side of '@' must be a 2-D parameter, but {left} is {shape}");

    public static void ReportTupleNeedsChunk(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0219", at, "assigning several names needs chunk(...) on the right side");

    public static void ReportBatchFirstConflict(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0220", at, "all rnn layers of a model must agree on batch_first");

    public static void ReportMatrixOutsideMatMul(this DiagnosticBag bag, TextLocation at, string name, string shape, bool isParameter = true) =>
        bag.Report("RG0221", at, $"{(isParameter ? "parameter" : "piece")} '{name}' is a matrix {shape}; a matrix can only be used on the left of '@'");

    public static void ReportDuplicateLayerName(this DiagnosticBag bag, TextLocation at, string name) =>
        bag.Report("RG0222", at, $"two layers are named '{name}'; give one a different name with 'name:'");

    public static void ReportCellShadowsBuiltin(this DiagnosticBag bag, TextLocation at, string name) =>
        bag.Report("RG0223", at, $"cell '{name}' is already a built-in cell; choose another name");

    public static void ReportBadChunkCount(this DiagnosticBag bag, TextLocation at, string problem) =>
        bag.Report("RG0224", at, problem);

    public static void ReportMergeNeedsTwoDirections(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0228", at, "'merge' combines the two directions of a bidirectional layer; add 'bidirectional: true' or remove it");

    public static void ReportPoolingNeedsManyToOne(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0229", at, "'pooling' applies to 'topology: many-to-one'; add it or remove 'pooling'");

    public static void ReportManyToOneNeedsRecurrentLayer(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0230", at, "a many-to-one model pools a recurrent layer over time, but this model has no rnn layer");

    public static void ReportConditionNeedsOneToMany(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0231", at, "'condition' applies to 'topology: one-to-many'; add it or remove 'condition'");

    public static void ReportOneToManyNeedsSizeInput(this DiagnosticBag bag, TextLocation at, string input) =>
        bag.Report("RG0232", at, $"a one-to-many model takes a fixed-size vector and feeds back its own output tokens, so its input must be float features: declare '{input}: {{ size: N }}'");

    public static void ReportOneToManyNeedsDenseLast(this DiagnosticBag bag, TextLocation at, string layer) =>
        bag.Report("RG0233", at, $"a one-to-many model feeds its output tokens back, so its last layer must be a dense layer whose units (usually auto) are the number of tokens, but the last layer '{layer}' is not dense");

    public static void ReportStateConditionNeedsRecurrentLayer(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0234", at, "'condition: state' sets the initial state of the first rnn layer, but this model has no rnn layer; use 'condition: first-step'");

    /// <summary><c>training.recompute_every</c> trains the steps in segments from the first one on; <paramref name="why"/> says what stands in the way.</summary>
    public static void ReportRecomputeNotSupported(this DiagnosticBag bag, TextLocation at, string why) =>
        bag.Report("RG0235", at, $"'recompute_every' cannot train this model: {why}");

    /// <summary>An encoder-decoder whose parts do not fit together; <paramref name="what"/> says what and how to fix it.</summary>
    public static void ReportEncoderDecoder(this DiagnosticBag bag, TextLocation at, string what) =>
        bag.Report("RG0236", at, "encoder-decoder: " + what);

    public static void ReportNoLayers(this DiagnosticBag bag, TextLocation at) =>
        bag.Report("RG0225", at, "the model has no layers; add at least one under layers:");

    /// <summary>A built-in cell is correct for sensible sizes, so its failure is the layer's sizes' fault: reported at the layer.</summary>
    public static void ReportBuiltinCellSizes(this DiagnosticBag bag, TextLocation at, string cell, int hidden, int input, string detail) =>
        bag.Report("RG0227", at, $"cell '{cell}' cannot be built for hidden={hidden}, input={input}: {detail}");

    /// <summary><c>a * W @ x</c>: <c>*</c> and <c>@</c> bind equally tight, so the matrix ends up inside the left operand.</summary>
    public static void ReportMatMulGrouping(this DiagnosticBag bag, TextLocation at, string written, string grouped, string intended) =>
        bag.Report("RG0226", at, $"'{written}' is read as '{grouped}' ('*', '/' and '@' bind equally tight, left to right); write '{intended}'");
}
