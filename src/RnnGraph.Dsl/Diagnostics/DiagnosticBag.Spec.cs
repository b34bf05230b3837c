using System.Globalization;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Diagnostics;

// Diagnostics of the spec reader (RG0001-RG0099). Every code and message is written here once:
//
//   RG0001  invalid YAML: <detail>
//   RG0002  the spec file is empty; it needs a 'model' section
//   RG0003  the spec has no 'model' section
//   RG0004  expected <what> for <subject>, got <actual>
//   RG0005  unknown key '<key>' in <context>; did you mean '<key>'?
//           unknown key '<key>' in <context>; valid keys are <k1>, <k2>, ...
//   RG0006  <context> is missing required key '<key>'
//   RG0007  <what> must be a positive integer, got <n>
//   RG0008  input '<name>' needs either 'size' (features per step) or 'vocab' (token ids)
//   RG0009  input '<name>' has both 'size' and 'vocab'; use 'size' for features or 'vocab' for token ids
//   RG0010  duplicate key '<key>' (first given on line <n>)
//   RG0011  duplicate <cell|input|parameter|state> '<name>'[ in cell '<cell>'] (first declared on line <n>)
//   RG0012  a layer must be a mapping with one key, its kind (rnn, dense or embed), got <actual>
//   RG0013  a layer item has one key, its kind; '<key>' must be an option inside '<kind>' or start its own '- <key>:' item
//   RG0014  unknown layer kind '<kind>'; did you mean '<kind>'?
//           unknown layer kind '<kind>'; expected rnn, dense or embed
//           unknown layer kind '<cell>'; a cell is used as '- rnn: { cell: <cell>, hidden: ... }'
//   RG0015  unknown activation '<name>'; did you mean '<name>'?
//           unknown activation '<name>'; expected none, softmax or log_softmax
//   RG0016  '<option>' applies only to <cell> cells, not '<cell>'
//   RG0017  '<text>' is not a valid name; use letters, digits and '_', not starting with a digit
//   RG0018  '<key>' must not be empty
//   RG0019  a spec file holds a single YAML document; this is a second one
//   RG0020  'data' needs either 'file' (a path relative to the spec) or 'text' (the data inline)
//   RG0021  '<section>' has both '<key>' and '<key>'; keep one
//   RG0022  unknown <format|tokenizer|optimizer> '<name>'; did you mean '<name>'?
//           unknown <format|tokenizer|optimizer> '<name>'; expected <a>, <b> or <c>
//   RG0023  <what> must be a positive number, got <x>
//   RG0024  <what> must be a non-negative integer, got <n>
//   RG0025  <validation fraction|dropout probability> must be at least 0 and less than 1, got <x>
//   RG0026  'one_hot' applies only to token inputs ('vocab'); input '<name>' has 'size'
//
// (RG0027-RG0030 are the command-line overrides', in DiagnosticBag.Overrides.cs.)
//
//   RG0031  '<key>' applies only with '<setting>: <value>'[ or '<value>'], not '<value>'; remove '<key>' or set '<setting>'
//           '<key>' applies only with '<setting>: <value>'[ or '<value>'], not <value> (the default); remove '<key>' or set '<setting>'
//   RG0032  '<setting>: <value>' needs '<key>' (<what it is>); add it
//   RG0033  'topology: encoder-decoder' has no 'layers'; list the layers under 'encoder' and 'decoder' instead
//   RG0034  <what> must be at least 0 and at most 1, got <x>
//   RG0035  'teacher_forcing_end' must be above 0 with 'teacher_forcing_schedule: exponential', which never reaches 0; use 'linear' to end at 0

public sealed partial class DiagnosticBag
{
    internal void ReportInvalidYaml(TextLocation location, string detail) =>
        Report("RG0001", location, $"invalid YAML: {detail}");

    internal void ReportEmptySpec(TextLocation location) =>
        Report("RG0002", location, "the spec file is empty; it needs a 'model' section");

    internal void ReportMissingModel(TextLocation location) =>
        Report("RG0003", location, "the spec has no 'model' section");

    /// <summary><paramref name="subject"/> is already phrased for the message, e.g. <c>'hidden'</c> or <c>the spec</c>.</summary>
    internal void ReportWrongType(TextLocation location, string expected, string subject, string actual) =>
        Report("RG0004", location, $"expected {expected} for {subject}, got {actual}");

    internal void ReportUnknownKey(TextLocation location, string key, string context, IReadOnlyList<string> validKeys)
    {
        string? suggestion = StringDistance.Suggest(key, validKeys);
        string hint = suggestion is not null
            ? $"did you mean '{suggestion}'?"
            : $"valid keys are {string.Join(", ", validKeys)}";
        Report("RG0005", location, $"unknown key '{key}' in {context}; {hint}");
    }

    internal void ReportMissingKey(TextLocation location, string context, string key) =>
        Report("RG0006", location, $"{context} is missing required key '{key}'");

    internal void ReportNotPositive(TextLocation location, string what, int value) =>
        Report("RG0007", location, $"{what} must be a positive integer, got {value}");

    internal void ReportInputWithoutSizeOrVocab(TextLocation location, string input) =>
        Report("RG0008", location, $"input '{input}' needs either 'size' (features per step) or 'vocab' (token ids)");

    internal void ReportInputWithSizeAndVocab(TextLocation location, string input) =>
        Report("RG0009", location, $"input '{input}' has both 'size' and 'vocab'; use 'size' for features or 'vocab' for token ids");

    internal void ReportDuplicateKey(TextLocation location, string key, int firstLine) =>
        Report("RG0010", location, $"duplicate key '{key}' (first given on line {firstLine})");

    /// <summary>A name declared twice: <paramref name="kind"/> is cell, input, parameter or state; <paramref name="cell"/> names the owning cell if any.</summary>
    internal void ReportDuplicateName(TextLocation location, string kind, string name, string? cell, int firstLine)
    {
        string owner = cell is null ? "" : $" in cell '{cell}'";
        Report("RG0011", location, $"duplicate {kind} '{name}'{owner} (first declared on line {firstLine})");
    }

    internal void ReportBadLayerItem(TextLocation location, string actual) =>
        Report("RG0012", location, $"a layer must be a mapping with one key, its kind (rnn, dense or embed), got {actual}");

    internal void ReportExtraLayerKey(TextLocation location, string key, string kind) =>
        Report("RG0013", location, $"a layer item has one key, its kind; '{key}' must be an option inside '{kind}' or start its own '- {key}:' item");

    internal void ReportUnknownLayerKind(TextLocation location, string kind, IReadOnlyList<string> kinds, IReadOnlyList<string> builtInCells)
    {
        string hint;
        if (builtInCells.Contains(kind))
            hint = $"a cell is used as '- rnn: {{ cell: {kind}, hidden: ... }}'";
        else if (StringDistance.Suggest(kind, kinds) is { } suggestion)
            hint = $"did you mean '{suggestion}'?";
        else
            hint = $"expected {Alternatives(kinds)}";
        Report("RG0014", location, $"unknown layer kind '{kind}'; {hint}");
    }

    internal void ReportUnknownActivation(TextLocation location, string activation, IReadOnlyList<string> activations)
    {
        string hint = StringDistance.Suggest(activation, activations) is { } suggestion
            ? $"did you mean '{suggestion}'?"
            : $"expected {Alternatives(activations)}";
        Report("RG0015", location, $"unknown activation '{activation}'; {hint}");
    }

    internal void ReportOptionNotForCell(TextLocation location, string option, string requiredCell, string actualCell) =>
        Report("RG0016", location, $"'{option}' applies only to {requiredCell} cells, not '{actualCell}'");

    internal void ReportInvalidName(TextLocation location, string text) =>
        Report("RG0017", location, $"'{text}' is not a valid name; use letters, digits and '_', not starting with a digit");

    internal void ReportEmptyList(TextLocation location, string key) =>
        Report("RG0018", location, $"'{key}' must not be empty");

    internal void ReportExtraDocument(TextLocation location) =>
        Report("RG0019", location, "a spec file holds a single YAML document; this is a second one");

    internal void ReportDataWithoutFileOrText(TextLocation location) =>
        Report("RG0020", location, "'data' needs either 'file' (a path relative to the spec) or 'text' (the data inline)");

    /// <summary>Two keys of <paramref name="section"/> (phrased for the message, e.g. <c>'data'</c>) that exclude each other.</summary>
    internal void ReportBothKeys(TextLocation location, string section, string first, string second) =>
        Report("RG0021", location, $"{section} has both '{first}' and '{second}'; keep one");

    /// <summary>A value outside a fixed list, such as a data format or an optimizer; <paramref name="what"/> names the list ("optimizer").</summary>
    internal void ReportUnknownChoice(TextLocation location, string what, string value, IReadOnlyList<string> choices)
    {
        string hint = StringDistance.Suggest(value, choices) is { } suggestion
            ? $"did you mean '{suggestion}'?"
            : $"expected {Alternatives(choices)}";
        Report("RG0022", location, $"unknown {what} '{value}'; {hint}");
    }

    internal void ReportNotPositiveNumber(TextLocation location, string what, double value) =>
        Report("RG0023", location, $"{what} must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}");

    internal void ReportNegative(TextLocation location, string what, int value) =>
        Report("RG0024", location, $"{what} must be a non-negative integer, got {value}");

    internal void ReportValidationOutOfRange(TextLocation location, double value) => ReportFractionOutOfRange(location, "validation fraction", value);

    internal void ReportFractionOutOfRange(TextLocation location, string what, double value) =>
        Report("RG0025", location, $"{what} must be at least 0 and less than 1, got {value.ToString(CultureInfo.InvariantCulture)}");

    internal void ReportOneHotWithSize(TextLocation location, string input) =>
        Report("RG0026", location, $"'one_hot' applies only to token inputs ('vocab'); input '{input}' has 'size'");

    /// <summary>
    /// <paramref name="key"/> means something only when <paramref name="setting"/> has one of <paramref name="values"/>;
    /// <paramref name="actual"/> is the setting's value, <paramref name="isDefault"/> when it was not written.
    /// </summary>
    internal void ReportKeyNeedsSetting(TextLocation location, string key, string setting, IReadOnlyList<string> values, string actual, bool isDefault)
    {
        string needed = $"'{setting}: {values[0]}'" + string.Concat(values.Skip(1).Select(v => $" or '{v}'"));
        string now = isDefault ? $"{actual} (the default)" : $"'{actual}'";
        Report("RG0031", location, $"'{key}' applies only with {needed}, not {now}; remove '{key}' or set '{setting}'");
    }

    /// <summary>A key required by a setting's value, reported at that value; <paramref name="purpose"/> says what the key gives.</summary>
    internal void ReportSettingNeedsKey(TextLocation location, string setting, string value, string key, string purpose) =>
        Report("RG0032", location, $"'{setting}: {value}' needs '{key}' ({purpose}); add it");

    internal void ReportLayersInEncoderDecoder(TextLocation location) =>
        Report("RG0033", location, "'topology: encoder-decoder' has no 'layers'; list the layers under 'encoder' and 'decoder' instead");

    /// <summary>A ratio in [0, 1], both ends included (unlike RG0025's fractions).</summary>
    internal void ReportRatioOutOfRange(TextLocation location, string what, double value) =>
        Report("RG0034", location, $"{what} must be at least 0 and at most 1, got {value.ToString(CultureInfo.InvariantCulture)}");

    internal void ReportExponentialTeacherForcingToZero(TextLocation location) =>
        Report("RG0035", location, "'teacher_forcing_end' must be above 0 with 'teacher_forcing_schedule: exponential', which never reaches 0; use 'linear' to end at 0");

    /// <summary>"a, b or c".</summary>
    private static string Alternatives(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} or {items[^1]}";
}
