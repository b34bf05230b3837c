namespace RnnGraph.Runtime.Data;

/// <summary>Opening and writing data files with errors turned into one-line <see cref="DataFileException"/>s.</summary>
internal static class DataFiles
{
    public static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotRead(path, e);
        }
    }

    public static DataFileException CannotRead(string path, Exception e) => e switch
    {
        // The framework's messages repeat the full path; the exception already names it.
        FileNotFoundException or DirectoryNotFoundException => new DataFileException(path, "file not found", e),
        UnauthorizedAccessException => new DataFileException(path, "permission denied", e),
        _ => new DataFileException(path, $"cannot read: {e.Message}", e),
    };

    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        // Same directory so the rename stays on one file system: a reader sees the old file or the new one, never half.
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
