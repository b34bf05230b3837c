using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Diagnostics;

// Diagnostics of the equation parser (RG0100-RG0199). <where> is "equation" for an
// `equations:` block and "expression" for a lone expression such as a parameter dimension.
//
//   RG0100  unexpected character '<c>' in <where>
//   RG0101  unexpected <token> in <where>; expected <what>
//           unexpected <token> in <where>
//           expected <what> after '<previous token>'        (something is missing at the end of a line)
//           expected '=' after '<name>'                     (an assignment without '=')
//           unmatched ')' in <where>
//           expected <what>                                 (empty expression)
//   RG0102  unsupported time index '[<index>]'; only '<name>[t-1]' (the previous step) can be referenced
//
// RG0101 messages are composed from the parser's expected tokens in Equations/EquationSyntaxMessages.cs.

public sealed partial class DiagnosticBag
{
    internal void ReportEquationCharacter(TextLocation location, string character, string where) =>
        Report("RG0100", location, $"unexpected character '{character}' in {where}");

    internal void ReportEquationSyntax(TextLocation location, string message) =>
        Report("RG0101", location, message);

    internal void ReportEquationTimeIndex(TextLocation location, string name, string index) =>
        Report("RG0102", location, $"unsupported time index '[{index}]'; only '{name}[t-1]' (the previous step) can be referenced");
}
