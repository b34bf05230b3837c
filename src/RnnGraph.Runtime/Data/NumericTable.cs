namespace RnnGraph.Runtime.Data;

/// <summary>Numbers read from a CSV file: <see cref="RowCount"/> rows of the selected columns, row-major ([rows, columns]).</summary>
public sealed class NumericTable
{
    public NumericTable(IReadOnlyList<string> columns, double[] values)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (columns.Count == 0 ? values.Length != 0 : values.Length % columns.Count != 0)
            throw new ArgumentException($"{values.Length} values do not fill rows of {columns.Count} columns", nameof(values));
        Columns = columns;
        Values = values;
    }

    /// <summary>Column names: the header's, or the 0-based indices as text when the file has no header.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>All values, row after row: a time series as [T, features].</summary>
    public double[] Values { get; }

    public int RowCount => Columns.Count == 0 ? 0 : Values.Length / Columns.Count;

    public ReadOnlySpan<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return Values.AsSpan(row * Columns.Count, Columns.Count);
    }

    public double[] Column(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns.Count);
        var result = new double[RowCount];
        for (int row = 0; row < result.Length; row++)
            result[row] = Values[row * Columns.Count + column];
        return result;
    }
}
