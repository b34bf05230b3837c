using System.Globalization;

namespace RnnGraph.Runtime.Data;

/// <summary>How <see cref="NumericCsvReader"/> reads a file.</summary>
public sealed record NumericCsvOptions
{
    /// <summary>Whether the first non-blank line names the columns.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The columns to read, in output order; null reads every column.</summary>
    public IReadOnlyList<CsvColumn>? Columns { get; init; }

    public char Separator { get; init; } = ',';

    /// <summary>Stop after this many data rows; the rest of the file is not read.</summary>
    public int? MaxRows { get; init; }
}

/// <summary>Reads numeric series from CSV: selected columns, invariant-culture numbers, every defect located at its line and column.</summary>
/// <remarks>
/// There is no quoting: numeric fields never need it. Header names may be wrapped in double quotes, which are
/// removed. Fields are trimmed; only the selected columns must be numbers (a date column can be left out), and
/// every row must have as many fields as the first. Blank lines are skipped. NaN and infinities are rejected,
/// because one of them silently poisons a whole training run.
/// </remarks>
public static class NumericCsvReader
{
    public static NumericTable Read(string path, NumericCsvOptions? options = null)
    {
        options ??= new NumericCsvOptions();
        if (options.MaxRows is int max)
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(options.MaxRows));
        if (!options.HasHeader && options.Columns?.FirstOrDefault(c => c.Name is not null) is { Name: not null } named)
            throw new ArgumentException($"column {named} is selected by name but the file is read without a header", nameof(options));

        int[]? selected = null;
        string[]? names = null;
        int fieldCount = -1, rows = 0;
        var values = new List<double>();
        foreach (var line in SourceLine.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
                continue;
            var fields = Split(line.Text, options.Separator);
            if (fieldCount < 0)
            {
                fieldCount = fields.Count;
                string[] all = options.HasHeader
                    ? fields.Select(f => Unquote(line.Text[f.Start..f.End].Trim())).ToArray()
                    : Enumerable.Range(0, fieldCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                selected = Resolve(options.Columns, all, path, line.Number);
                names = selected.Select(i => all[i]).ToArray();
                if (options.HasHeader)
                    continue;
            }
            if (rows == options.MaxRows)
                break; // only for MaxRows = 0, which still reads the header for the column names
            if (fields.Count != fieldCount)
            {
                int column = fields.Count > fieldCount ? fields[fieldCount].Start + 1 : line.Text.Length + 1;
                throw new DataFileException(path, line.Number, column, $"expected {fieldCount} fields but found {fields.Count}");
            }
            for (int i = 0; i < selected!.Length; i++)
                values.Add(ParseField(line, fields[selected[i]], names![i], path));
            if (++rows == options.MaxRows)
                break;
        }
        if (names is null)
            throw new DataFileException(path, "the file is empty");
        return new NumericTable(names, [.. values]);
    }

    private static int[] Resolve(IReadOnlyList<CsvColumn>? columns, string[] names, string path, int line)
    {
        if (columns is null)
            return Enumerable.Range(0, names.Length).ToArray();
        return columns.Select(column =>
        {
            if (column.Name is null)
            {
                return column.Index < names.Length
                    ? column.Index
                    : throw new DataFileException(path, line, 1, $"column index {column.Index} is out of range: the file has {names.Length} columns");
            }
            int first = Array.IndexOf(names, column.Name);
            if (first < 0)
                throw new DataFileException(path, line, 1, $"no column named {column} (the header has {string.Join(", ", names.Select(DataFileException.Quote))})");
            if (Array.IndexOf(names, column.Name, first + 1) >= 0)
                throw new DataFileException(path, line, 1, $"the header names column {column} more than once");
            return first;
        }).ToArray();
    }

    private static double ParseField(SourceLine line, (int Start, int End) field, string name, string path)
    {
        string raw = line.Text[field.Start..field.End];
        string text = raw.Trim();
        if (text.Length == 0)
            throw new DataFileException(path, line.Number, field.Start + 1, $"empty field in column {DataFileException.Quote(name)}");
        int column = field.Start + (raw.Length - raw.TrimStart().Length) + 1;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new DataFileException(path, line.Number, column, $"{DataFileException.Quote(text)} is not a number (column {DataFileException.Quote(name)})");
        if (!double.IsFinite(value))
            throw new DataFileException(path, line.Number, column, $"{DataFileException.Quote(text)} is not a finite number (column {DataFileException.Quote(name)})");
        return value;
    }

    private static List<(int Start, int End)> Split(string text, char separator)
    {
        var fields = new List<(int Start, int End)>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == separator)
            {
                fields.Add((start, i));
                start = i + 1;
            }
        }
        return fields;
    }

    private static string Unquote(string name) =>
        name.Length >= 2 && name[0] == '"' && name[^1] == '"' ? name[1..^1] : name;
}
