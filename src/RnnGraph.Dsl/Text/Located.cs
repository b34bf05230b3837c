namespace RnnGraph.Dsl.Text;

/// <summary>A value read from a source file together with where it was written.</summary>
public readonly record struct Located<T>(T Value, TextLocation Location);
