using System.Text;
using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class TextLineReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Non_blank_lines_with_their_line_numbers()
    {
        string path = _directory.Write("lines.txt", "first\n\n  \t\r\n second \r\nthird");
        Assert.Equal(
            [new TextLine(1, "first"), new TextLine(4, " second "), new TextLine(5, "third")],
            TextLineReader.Read(path));
    }

    [Fact]
    public void Max_count_stops_reading_before_a_later_defect()
    {
        var bytes = Encoding.UTF8.GetBytes("a\n\nb\nc\n").Concat(new byte[] { 0xFF, (byte)'\n' }).ToArray();
        string path = _directory.WriteBytes("lines.txt", bytes);
        Assert.Equal([new TextLine(1, "a"), new TextLine(3, "b")], TextLineReader.Read(path, maxCount: 2));
        Assert.Empty(TextLineReader.Read(path, maxCount: 0));
        Assert.Equal($"{path}(5,1): invalid UTF-8 (byte 0xFF)", DataAssert.Fails(() => TextLineReader.Read(path).ToList()));
    }

    [Fact]
    public void Invalid_utf8_is_located_at_its_line_and_column()
    {
        var bytes = Encoding.UTF8.GetBytes("ok\r\naé").Concat(new byte[] { 0xC3, (byte)'x' }).ToArray();
        string path = _directory.WriteBytes("bad.txt", bytes);
        var error = Assert.Throws<DataFileException>(() => TextLineReader.Read(path).ToList());
        Assert.Equal($"{path}(2,3): invalid UTF-8 (byte 0xC3)", error.Message);
        Assert.Equal((path, 2, 3), (error.Path, error.Line, error.Column));
    }

    [Fact]
    public void A_byte_order_mark_is_skipped()
    {
        string path = _directory.WriteBytes("bom.txt", Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("x\ny")).ToArray());
        Assert.Equal([new TextLine(1, "x"), new TextLine(2, "y")], TextLineReader.Read(path));
    }

    [Fact]
    public void A_missing_file_fails_at_the_call()
    {
        string path = _directory.File("absent.txt");
        Assert.Equal($"{path}: file not found", DataAssert.Fails(() => TextLineReader.Read(path)));
    }

    [Fact]
    public void Lines_and_crlf_split_across_read_chunks_are_joined()
    {
        // The reader takes 64 KiB at a time: put "\r" as the last byte of the first chunk and "\n" first in the next.
        string longLine = new('a', 64 * 1024 - 1);
        string path = _directory.Write("long.txt", longLine + "\r\n" + "é" + new string('b', 70_000) + "\nend");
        var lines = SourceLine.Read(path).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(new SourceLine(1, longLine, "\r\n"), lines[0]);
        Assert.Equal(new SourceLine(2, "é" + new string('b', 70_000), "\n"), lines[1]);
        Assert.Equal(new SourceLine(3, "end", ""), lines[2]);
    }

    [Fact]
    public void Source_lines_keep_their_terminators()
    {
        string path = _directory.Write("t.txt", "a\r\n\nb\rc\n");
        Assert.Equal(
            [new SourceLine(1, "a", "\r\n"), new SourceLine(2, "", "\n"), new SourceLine(3, "b\rc", "\n")],
            SourceLine.Read(path));
    }
}
