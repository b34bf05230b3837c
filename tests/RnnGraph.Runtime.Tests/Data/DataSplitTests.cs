using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class DataSplitTests
{
    private static readonly string[] Items = Enumerable.Range(0, 10).Select(i => $"item{i}").ToArray();

    private static readonly string[] PinnedValidation = ["item1", "item2", "item5"];

    private static int Number(string item) => int.Parse(item[4..]);

    [Fact]
    public void Splits_by_fraction_keeping_file_order_in_both_parts()
    {
        var (train, validation) = DataSplit.Split(Items, 0.3, seed: 1);
        Assert.Equal(3, validation.Length);
        Assert.Equal(7, train.Length);
        Assert.Equal(Items, train.Concat(validation).OrderBy(Number));
        Assert.Equal(train.OrderBy(Number), train);
        Assert.Equal(validation.OrderBy(Number), validation);
    }

    [Fact]
    public void The_split_for_a_seed_is_pinned()
    {
        // new Random(seed) is the framework's compatibility-preserved generator; this split must never change.
        Assert.Equal(PinnedValidation, DataSplit.Split(Items, 0.3, seed: 1).Validation);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        Assert.Equal(DataSplit.Split(Items, 0.3, seed: 1).Validation, DataSplit.Split(Items, 0.3, seed: 1).Validation);
        Assert.NotEqual(DataSplit.Split(Items, 0.3, seed: 1).Validation, DataSplit.Split(Items, 0.3, seed: 2).Validation);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 3)]
    [InlineData(0.24, 2)]
    [InlineData(1.0, 10)]
    public void Validation_size_rounds_halves_up(double fraction, int expected) =>
        Assert.Equal(expected, DataSplit.Split(Items, fraction, seed: 0).Validation.Length);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Fractions_outside_zero_to_one_are_rejected(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Split(Items, fraction, seed: 0));
}
