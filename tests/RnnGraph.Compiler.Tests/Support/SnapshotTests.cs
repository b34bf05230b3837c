using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Support;

/// <summary>The snapshot helper's workflow: missing, accept, match, mismatch; tested on a temporary folder.</summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rnngraph-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Verified => Path.Combine(_dir, "Snapshots", "T.M.verified.txt");
    private string Received => Path.Combine(_dir, "Snapshots", "T.M.received.txt");

    [Fact]
    public void A_missing_verified_file_fails_tells_how_to_accept_and_writes_the_received_file()
    {
        var e = Assert.Throws<SnapshotMismatchException>(() => Snapshot.VerifyFile("a\nb\n", Verified, accept: false));
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("RNNGRAPH_ACCEPT_SNAPSHOTS=1", e.Message);
        Assert.Equal("a\nb\n", File.ReadAllText(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void Accepting_writes_the_verified_file_with_unix_line_endings_and_removes_the_received_file()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Received)!);
        File.WriteAllText(Received, "stale");
        Snapshot.VerifyFile("a\r\nb\r\n", Verified, accept: true);
        Assert.Equal("a\nb\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void Accepting_overwrites_an_existing_verified_file()
    {
        Snapshot.VerifyFile("old\n", Verified, accept: true);
        Snapshot.VerifyFile("new\n", Verified, accept: true);
        Assert.Equal("new\n", File.ReadAllText(Verified));
    }

    [Fact]
    public void Texts_that_differ_only_in_line_endings_match_and_a_stale_received_file_is_removed()
    {
        Snapshot.VerifyFile("a\nb\n", Verified, accept: true);
        File.WriteAllText(Verified, "a\r\nb\r\n");
        File.WriteAllText(Received, "stale");
        Snapshot.VerifyFile("a\rb\r", Verified, accept: false);
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void A_mismatch_fails_with_a_unified_diff_and_writes_the_received_file()
    {
        Snapshot.VerifyFile("one\ntwo\nthree\n", Verified, accept: true);
        var e = Assert.Throws<SnapshotMismatchException>(() => Snapshot.VerifyFile("one\nTWO\nthree\n", Verified, accept: false));
        Assert.Contains("Snapshot mismatch", e.Message);
        Assert.Contains("--- T.M.verified.txt\n+++ T.M.received.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n", e.Message);
        Assert.Equal("one\nTWO\nthree\n", File.ReadAllText(Received));
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(Verified));
    }

    [Fact]
    public void A_long_diff_is_cut_in_the_message_but_complete_in_the_received_file()
    {
        string Lines(string prefix) => string.Concat(Enumerable.Range(0, 500).Select(i => $"{prefix}{i}\n"));
        Snapshot.VerifyFile(Lines("a"), Verified, accept: true);
        var e = Assert.Throws<SnapshotMismatchException>(() => Snapshot.VerifyFile(Lines("b"), Verified, accept: false));
        Assert.Contains("more diff lines; see the received file", e.Message);
        Assert.Equal(Lines("b"), File.ReadAllText(Received));
    }

    [Theory]
    [InlineData(null, "CellDumpSnapshotTests.Dump")]
    [InlineData("gru", "CellDumpSnapshotTests.Dump_gru")]
    [InlineData("lstm peepholes/T=3", "CellDumpSnapshotTests.Dump_lstm_peepholes_T=3")]
    public void File_names_are_test_file_dot_method_underscore_parameters(string? parameters, string expected)
    {
        Assert.Equal(expected, Snapshot.FileStem("/repo/tests/Printing/CellDumpSnapshotTests.cs", "Dump", parameters));
    }

    [Theory]
    [InlineData("/s/Snapshots/A.B.verified.txt", "/s/Snapshots/A.B.received.txt")]
    [InlineData("/s/Snapshots/A.B_c.verified.dot", "/s/Snapshots/A.B_c.received.dot")]
    public void The_received_file_sits_beside_the_verified_file(string verified, string received)
    {
        Assert.Equal(received, Snapshot.ReceivedPath(verified));
    }

    /// <summary>End to end through the caller's file path: reads Support/Snapshots/SnapshotTests.Verify_finds_the_snapshot_beside_the_test_file.verified.txt.</summary>
    [Fact]
    public void Verify_finds_the_snapshot_beside_the_test_file()
    {
        Snapshot.Verify("This file is compared by SnapshotTests to check where Snapshot.Verify looks.\n");
    }
}
