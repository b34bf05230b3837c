namespace RnnGraph.Runtime.Data;

/// <summary>Splits a data set into training and validation parts, the same way every time for a given seed.</summary>
public static class DataSplit
{
    /// <summary>
    /// Puts <c>round(N · validationFraction)</c> items (halves rounded up) chosen by <c>new Random(seed)</c> into
    /// validation and the rest into training; both keep the items' original order, so a split reads like the file.
    /// </summary>
    public static (T[] Train, T[] Validation) Split<T>(IReadOnlyList<T> items, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be between 0 and 1");
        int validationCount = (int)Math.Round(items.Count * validationFraction, MidpointRounding.AwayFromZero);
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        var inValidation = new bool[items.Count];
        foreach (int index in order.AsSpan(0, validationCount))
            inValidation[index] = true;
        var train = new List<T>(items.Count - validationCount);
        var validation = new List<T>(validationCount);
        for (int i = 0; i < items.Count; i++)
            (inValidation[i] ? validation : train).Add(items[i]);
        return ([.. train], [.. validation]);
    }
}
