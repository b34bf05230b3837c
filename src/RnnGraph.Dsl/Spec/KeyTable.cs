namespace RnnGraph.Dsl.Spec;

/// <summary>The keys one kind of YAML mapping may hold, required ones first; anything else is reported as unknown.</summary>
internal sealed class KeyTable(string[] required, string[] optional)
{
    public IReadOnlyList<string> Required { get; } = required;

    /// <summary>Every valid key, in the order listed to users and offered as suggestions.</summary>
    public IReadOnlyList<string> All { get; } = [.. required, .. optional];

    public bool Contains(string key) => All.Contains(key);
}
