using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class LabelledLineReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Label_first_lines_and_a_sorted_label_set()
    {
        string path = _directory.Write("train.tsv", "pos\tgreat movie\nneg\tbad\tfilm\n\nneu \tok\npos\tfun\n");
        var data = LabelledLineReader.Read(path);
        Assert.Equal(
            [
                new LabelledLine(1, "pos", "great movie"),
                new LabelledLine(2, "neg", "bad\tfilm"),
                new LabelledLine(4, "neu", "ok"),
                new LabelledLine(5, "pos", "fun"),
            ],
            data.Lines);
        Assert.Equal(["neg", "neu", "pos"], data.Labels);
        Assert.Equal([2, 0, 1, 2], data.LabelIds());
        Assert.Equal(1, data.LabelId("neu"));
        Assert.Throws<KeyNotFoundException>(() => data.LabelId("other"));
    }

    [Fact]
    public void Label_last_takes_the_label_after_the_last_tab()
    {
        string path = _directory.Write("train.tsv", "bad\tfilm\tneg\r\ngreat\tpos\r\n");
        var data = LabelledLineReader.Read(path, LabelPosition.Last);
        Assert.Equal([new LabelledLine(1, "neg", "bad\tfilm"), new LabelledLine(2, "pos", "great")], data.Lines);
        Assert.Equal(["neg", "pos"], data.Labels);
    }

    [Fact]
    public void The_label_set_does_not_depend_on_line_order()
    {
        string a = _directory.Write("a.tsv", "b\tx\na\ty\nc\tz\n");
        string b = _directory.Write("b.tsv", "c\tz\nb\tx\na\ty\n");
        Assert.Equal(LabelledLineReader.Read(a).Labels, LabelledLineReader.Read(b).Labels);
    }

    [Fact]
    public void Max_count_limits_the_examples()
    {
        string path = _directory.Write("train.tsv", "a\tx\nb\ty\nno tab here\n");
        Assert.Equal(["a", "b"], LabelledLineReader.Read(path, maxCount: 2).Labels);
    }

    [Fact]
    public void A_line_without_a_tab_is_located()
    {
        string path = _directory.Write("train.tsv", "a\tx\nno tab here\n");
        Assert.Equal(
            $"{path}(2,1): expected 'label<TAB>text' but the line has no tab",
            DataAssert.Fails(() => LabelledLineReader.Read(path)));
    }

    [Fact]
    public void An_empty_label_is_located_where_the_label_should_be()
    {
        string path = _directory.Write("train.tsv", "some text\t \n");
        var error = Assert.Throws<DataFileException>(() => LabelledLineReader.Read(path, LabelPosition.Last));
        Assert.Equal($"{path}(1,11): the label is empty (expected 'text<TAB>label')", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void An_empty_text_is_located_where_the_text_should_be()
    {
        string path = _directory.Write("train.tsv", "a\tx\npos\t  \n");
        Assert.Equal(
            $"{path}(2,5): the text is empty (expected 'label<TAB>text')",
            DataAssert.Fails(() => LabelledLineReader.Read(path)));
    }
}
