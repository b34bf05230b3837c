using System.Text;

namespace RnnGraph.Runtime.Tests.Data;

/// <summary>A fresh directory for one test's data files, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngraph-data-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark, newlines exactly as given.</summary>
    public string Write(string name, string text) => WriteBytes(name, new UTF8Encoding(false).GetBytes(text));

    public string WriteBytes(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Asserting on located data errors.</summary>
internal static class DataAssert
{
    /// <summary>Runs <paramref name="action"/>, expects a one-line <see cref="RnnGraph.Runtime.Data.DataFileException"/>, returns its message.</summary>
    public static string Fails(Action action)
    {
        var error = Assert.Throws<RnnGraph.Runtime.Data.DataFileException>(action);
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }
}
