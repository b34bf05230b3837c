namespace RnnGraph.Runtime.Data;

/// <summary>Selects a CSV column by header name or by 0-based index; strings and ints convert implicitly (<c>["temp", 3]</c>).</summary>
public readonly record struct CsvColumn
{
    private CsvColumn(string? name, int index)
    {
        Name = name;
        Index = index;
    }

    /// <summary>The header name, or null when the column is selected by index.</summary>
    public string? Name { get; }

    /// <summary>The 0-based index; meaningful only when <see cref="Name"/> is null.</summary>
    public int Index { get; }

    public static CsvColumn Named(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new CsvColumn(name, -1);
    }

    public static CsvColumn At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new CsvColumn(null, index);
    }

    public static implicit operator CsvColumn(string name) => Named(name);

    public static implicit operator CsvColumn(int index) => At(index);

    public override string ToString() => Name is null ? $"index {Index}" : DataFileException.Quote(Name);
}
