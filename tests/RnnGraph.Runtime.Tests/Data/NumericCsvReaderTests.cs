using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class NumericCsvReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string Weather = "date,time,temp,\"humidity\"\n2024-01-01, 0,1.5,30\n\n2024-01-01,1,-2e-1 ,31\r\n";

    [Fact]
    public void All_columns_of_a_headed_file()
    {
        string path = _directory.Write("w.csv", "a,b\n1,2\n3,4.25\n");
        var table = NumericCsvReader.Read(path);
        Assert.Equal(["a", "b"], table.Columns);
        Assert.Equal(2, table.RowCount);
        Assert.Equal([1, 2, 3, 4.25], table.Values);
        Assert.Equal([3, 4.25], table.Row(1).ToArray());
        Assert.Equal([2, 4.25], table.Column(1));
    }

    [Fact]
    public void Selected_columns_by_name_and_index_in_the_requested_order()
    {
        string path = _directory.Write("w.csv", Weather);
        var table = NumericCsvReader.Read(path, new NumericCsvOptions { Columns = ["humidity", 1] });
        Assert.Equal(["humidity", "time"], table.Columns);
        Assert.Equal([30, 0, 31, 1], table.Values);
    }

    [Fact]
    public void Columns_left_out_need_not_be_numbers()
    {
        string path = _directory.Write("w.csv", Weather);
        var table = NumericCsvReader.Read(path, new NumericCsvOptions { Columns = ["temp"] });
        Assert.Equal([1.5, -0.2], table.Values);
    }

    [Fact]
    public void Without_a_header_columns_are_named_by_index()
    {
        string path = _directory.Write("s.csv", "1;2;3\n4;5;6\n");
        var table = NumericCsvReader.Read(path, new NumericCsvOptions { HasHeader = false, Separator = ';', Columns = [2, 0] });
        Assert.Equal(["2", "0"], table.Columns);
        Assert.Equal([3, 1, 6, 4], table.Values);
    }

    [Fact]
    public void Max_rows_stops_reading()
    {
        string path = _directory.Write("s.csv", "x\n1\n2\nnot read\n");
        Assert.Equal([1, 2], NumericCsvReader.Read(path, new NumericCsvOptions { MaxRows = 2 }).Values);
        var empty = NumericCsvReader.Read(path, new NumericCsvOptions { MaxRows = 0 });
        Assert.Equal(["x"], empty.Columns);
        Assert.Equal(0, empty.RowCount);
    }

    [Fact]
    public void Numbers_use_the_invariant_culture()
    {
        string path = _directory.Write("s.csv", "x;y\n1.5;1,5\n");
        Assert.Equal(
            $"{path}(2,5): '1,5' is not a number (column 'y')",
            DataAssert.Fails(() => NumericCsvReader.Read(path, new NumericCsvOptions { Separator = ';' })));
    }

    [Fact]
    public void A_non_numeric_field_is_located_at_its_first_character()
    {
        string path = _directory.Write("s.csv", "x,y\n1,2\n3,   abc\n");
        var error = Assert.Throws<DataFileException>(() => NumericCsvReader.Read(path));
        Assert.Equal($"{path}(3,6): 'abc' is not a number (column 'y')", error.Message);
        Assert.Equal((3, 6), (error.Line, error.Column));
    }

    [Fact]
    public void Non_finite_values_are_rejected()
    {
        string path = _directory.Write("s.csv", "x\n1\nNaN\n");
        Assert.Equal($"{path}(3,1): 'NaN' is not a finite number (column 'x')", DataAssert.Fails(() => NumericCsvReader.Read(path)));
    }

    [Fact]
    public void An_empty_field()
    {
        string path = _directory.Write("s.csv", "x,y\n1, \n");
        Assert.Equal($"{path}(2,3): empty field in column 'y'", DataAssert.Fails(() => NumericCsvReader.Read(path)));
    }

    [Fact]
    public void Too_few_fields_point_past_the_end_of_the_line()
    {
        string path = _directory.Write("s.csv", "x,y,z\n1,2,3\n4,5\n");
        Assert.Equal($"{path}(3,4): expected 3 fields but found 2", DataAssert.Fails(() => NumericCsvReader.Read(path)));
    }

    [Fact]
    public void Too_many_fields_point_at_the_first_extra_one()
    {
        string path = _directory.Write("s.csv", "x,y\n1,2,33\n");
        Assert.Equal($"{path}(2,5): expected 2 fields but found 3", DataAssert.Fails(() => NumericCsvReader.Read(path)));
    }

    [Fact]
    public void An_unknown_column_name_lists_the_header()
    {
        string path = _directory.Write("w.csv", Weather);
        Assert.Equal(
            $"{path}(1,1): no column named 'pressure' (the header has 'date', 'time', 'temp', 'humidity')",
            DataAssert.Fails(() => NumericCsvReader.Read(path, new NumericCsvOptions { Columns = ["pressure"] })));
    }

    [Fact]
    public void An_ambiguous_column_name()
    {
        string path = _directory.Write("w.csv", "x,x\n1,2\n");
        Assert.Equal(
            $"{path}(1,1): the header names column 'x' more than once",
            DataAssert.Fails(() => NumericCsvReader.Read(path, new NumericCsvOptions { Columns = ["x"] })));
    }

    [Fact]
    public void A_column_index_out_of_range()
    {
        string path = _directory.Write("s.csv", "\n1,2\n");
        Assert.Equal(
            $"{path}(2,1): column index 2 is out of range: the file has 2 columns",
            DataAssert.Fails(() => NumericCsvReader.Read(path, new NumericCsvOptions { HasHeader = false, Columns = [2] })));
    }

    [Fact]
    public void An_empty_file()
    {
        string path = _directory.Write("s.csv", "\n \n");
        Assert.Equal($"{path}: the file is empty", DataAssert.Fails(() => NumericCsvReader.Read(path)));
    }

    [Fact]
    public void Selecting_by_name_without_a_header_is_a_usage_error()
    {
        string path = _directory.Write("s.csv", "1\n");
        Assert.Throws<ArgumentException>(() => NumericCsvReader.Read(path, new NumericCsvOptions { HasHeader = false, Columns = ["x"] }));
    }
}
