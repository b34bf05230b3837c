using System.Runtime.CompilerServices;
using System.Text;

namespace RnnGraph.TestSupport;

/// <summary>
/// Snapshot assertions with Verify's conventions (Verify.Xunit cannot be restored here; these keep
/// a later switch mechanical: same file names, same accept/received workflow).
/// <list type="bullet">
/// <item>The expected text lives in <c>&lt;folder of the test file&gt;/Snapshots/{TestFile}.{Method}[_{parameters}].verified.txt</c>,
///   where <c>{TestFile}</c> is the test file's name without <c>.cs</c> (= the test class) and <c>{Method}</c> the calling
///   test method; a theory passes its case as <c>parameters</c> (e.g. <c>"gru"</c>), so each case has its own file.</item>
/// <item>Line endings are normalized to <c>\n</c> on both sides before comparing.</item>
/// <item>On a mismatch, <c>*.received.txt</c> is written beside the verified file and the test fails with a unified diff.
///   On a match a stale received file is deleted.</item>
/// <item>With the environment variable <c>RNNGRAPH_ACCEPT_SNAPSHOTS=1</c>, the verified file is written (or overwritten)
///   instead and the test passes. Review the change in <c>git diff</c> before committing it.</item>
/// <item>A missing verified file fails (unless accepting) and says how to accept.</item>
/// </list>
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "RNNGRAPH_ACCEPT_SNAPSHOTS";
    public const string FolderName = "Snapshots";

    /// <summary>Lines of diff shown in a failure message; the received file has the rest.</summary>
    private const int MaxDiffLines = 200;

    /// <summary>Whether <see cref="AcceptVariable"/> asks to write verified files instead of comparing.</summary>
    public static bool AcceptFromEnvironment =>
        Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true" or "True";

    /// <summary>
    /// Compares <paramref name="actual"/> with the verified snapshot of the calling test.
    /// </summary>
    /// <param name="actual">The text produced by the code under test.</param>
    /// <param name="parameters">The theory case, appended as <c>_{parameters}</c> (unsafe file-name characters become <c>_</c>).</param>
    /// <param name="name">Overrides the whole <c>{TestFile}.{Method}[_{parameters}]</c> part of the file name.</param>
    /// <param name="extension">The snapshot's extension, e.g. <c>dot</c> for a Graphviz file (default <c>txt</c>).</param>
    public static void Verify(string actual, string? parameters = null, string? name = null, string extension = "txt",
                              [CallerFilePath] string sourceFile = "", [CallerMemberName] string testMethod = "")
    {
        if (sourceFile.Length == 0) throw new ArgumentException("the caller's file path is unknown; pass it explicitly", nameof(sourceFile));
        string stem = name ?? FileStem(sourceFile, testMethod, parameters);
        string verified = Path.Combine(Path.GetDirectoryName(sourceFile)!, FolderName, $"{stem}.verified.{extension}");
        VerifyFile(actual, verified, AcceptFromEnvironment);
    }

    /// <summary><c>{TestFile}.{Method}[_{parameters}]</c> for a test in <paramref name="sourceFile"/>.</summary>
    public static string FileStem(string sourceFile, string testMethod, string? parameters = null)
    {
        string stem = Path.GetFileNameWithoutExtension(sourceFile) + "." + testMethod;
        return parameters is null ? stem : stem + "_" + Sanitize(parameters);
    }

    /// <summary>The received file that goes with a verified file: <c>X.verified.txt</c> → <c>X.received.txt</c>.</summary>
    public static string ReceivedPath(string verifiedPath)
    {
        string file = Path.GetFileName(verifiedPath);
        int at = file.LastIndexOf(".verified.", StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"'{verifiedPath}' is not a *.verified.* file", nameof(verifiedPath));
        return Path.Combine(Path.GetDirectoryName(verifiedPath)!, file[..at] + ".received." + file[(at + ".verified.".Length)..]);
    }

    /// <summary>The comparison behind <see cref="Verify"/>, with explicit paths: fails with a <see cref="SnapshotMismatchException"/>.</summary>
    public static void VerifyFile(string actual, string verifiedPath, bool accept)
    {
        string received = ReceivedPath(verifiedPath);
        string text = Normalize(actual);
        if (accept)
        {
            Write(verifiedPath, text);
            File.Delete(received);
            return;
        }
        if (!File.Exists(verifiedPath))
        {
            Write(received, text);
            throw new SnapshotMismatchException(
                $"Snapshot {verifiedPath} does not exist yet. The output was written to {received}.\n" +
                $"Review it, then accept it by running the tests with {AcceptVariable}=1 (or rename the received file to .verified).");
        }
        string expected = Normalize(File.ReadAllText(verifiedPath));
        if (expected == text)
        {
            File.Delete(received);
            return;
        }
        Write(received, text);
        throw new SnapshotMismatchException(
            $"Snapshot mismatch: {verifiedPath}\nReceived output written to {received}.\n" +
            $"If the change is intended, accept it with {AcceptVariable}=1 and review the diff of the verified file.\n" +
            Truncate(UnifiedDiff.Render(expected, text, Path.GetFileName(verifiedPath), Path.GetFileName(received))));
    }

    /// <summary>Line endings as <c>\n</c>, whatever the platform or git settings produced.</summary>
    public static string Normalize(string text) => text.ReplaceLineEndings("\n");

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    // Characters no file system accepts (Windows' set, so snapshots check out everywhere), and whitespace.
    private static string Sanitize(string parameters) =>
        new(parameters.Select(c => "<>:\"/\\|?*".Contains(c) || char.IsControl(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());

    private static string Truncate(string diff)
    {
        var lines = diff.Split('\n');
        if (lines.Length <= MaxDiffLines) return diff;
        return string.Join('\n', lines.Take(MaxDiffLines)) + $"\n... ({lines.Length - MaxDiffLines} more diff lines; see the received file)\n";
    }
}

/// <summary>A snapshot differs from (or lacks) its verified file; the message holds the diff.</summary>
public sealed class SnapshotMismatchException(string message) : Xunit.Sdk.XunitException(message);
