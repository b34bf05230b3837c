using System.Buffers;
using System.Text.Unicode;

namespace RnnGraph.Runtime.Data;

/// <summary>One line of a text file: its 1-based number, its text, and the terminator that ended it ("\n", "\r\n" or "" at the end of the file).</summary>
public readonly record struct SourceLine(int Number, string Text, string Terminator)
{
    /// <summary>
    /// Reads <paramref name="path"/> as UTF-8 one line at a time, so a caller that stops early never reads the rest.
    /// Lines end at "\n" (a "\r" just before it belongs to the terminator); a UTF-8 byte order mark is skipped;
    /// invalid UTF-8 throws a <see cref="DataFileException"/> at the line and column of the bad byte.
    /// </summary>
    public static IEnumerable<SourceLine> Read(string path)
    {
        // Opened here rather than in the iterator so a missing file fails at the call, not at the first MoveNext.
        var stream = DataFiles.OpenRead(path);
        return ReadLines(stream, path);
    }

    private static IEnumerable<SourceLine> ReadLines(FileStream stream, string path)
    {
        using (stream)
        {
            var chunk = new byte[64 * 1024];
            var pending = new ArrayBufferWriter<byte>();
            var chars = new char[256];
            int number = 0, read;
            while ((read = ReadChunk(stream, chunk, path)) > 0)
            {
                // Offsets rather than a span: a span cannot live across the yield.
                int start = 0, newline;
                while ((newline = Array.IndexOf(chunk, (byte)'\n', start, read - start)) >= 0)
                {
                    pending.Write(chunk.AsSpan(start, newline - start));
                    start = newline + 1;
                    bool crlf = pending.WrittenCount > 0 && pending.WrittenSpan[^1] == (byte)'\r';
                    string text = Decode(pending.WrittenSpan[..(pending.WrittenCount - (crlf ? 1 : 0))], ++number, ref chars, path);
                    pending.ResetWrittenCount();
                    yield return new SourceLine(number, text, crlf ? "\r\n" : "\n");
                }
                pending.Write(chunk.AsSpan(start, read - start));
            }
            if (pending.WrittenCount > 0)
                yield return new SourceLine(++number, Decode(pending.WrittenSpan, number, ref chars, path), "");
        }
    }

    private static int ReadChunk(FileStream stream, byte[] chunk, string path)
    {
        try
        {
            return stream.Read(chunk);
        }
        catch (IOException e)
        {
            throw DataFiles.CannotRead(path, e);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes, int number, ref char[] chars, string path)
    {
        if (number == 1 && bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];
        // UTF-16 never needs more chars than UTF-8 has bytes.
        if (chars.Length < bytes.Length)
            chars = new char[Math.Max(bytes.Length, chars.Length * 2)];
        var status = Utf8.ToUtf16(bytes, chars, out int bytesRead, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new DataFileException(path, number, written + 1, $"invalid UTF-8 (byte 0x{bytes[bytesRead]:X2})");
        return new string(chars, 0, written);
    }
}
