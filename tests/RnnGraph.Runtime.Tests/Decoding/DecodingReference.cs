using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>Independent references for the decoding tests: scores recomputed from the toy model's table with the
/// length penalties written out here, and exhaustive search over every output sequence.</summary>
internal static class DecodingReference
{
    public const int Start = 0;
    public const int End = 1;

    /// <summary>The divisor of each penalty, from its definition (n = tokens + 1 for &lt;eos&gt;).</summary>
    public static double Divisor(LengthPenalty penalty, int n) => penalty.Kind switch
    {
        LengthPenaltyKind.None => 1.0,
        LengthPenaltyKind.Average => n,
        _ => Math.Pow((5.0 + n) / 6.0, penalty.Alpha),
    };

    /// <summary>Sum of the table's log-probabilities of the tokens (and &lt;eos&gt; if it ended), fed after the start token.</summary>
    public static double LogProbability(MarkovToyModel model, int source, IReadOnlyList<int> tokens, bool endedWithEos)
    {
        var history = new List<int> { Start };
        double sum = 0;
        foreach (int token in tokens)
        {
            sum += model.LogProbabilities(source, history)[token];
            history.Add(token);
        }
        if (endedWithEos)
            sum += model.LogProbabilities(source, history)[End];
        return sum;
    }

    /// <summary>Every possible output up to <paramref name="maxLength"/> tokens (&lt;eos&gt; included), best first.</summary>
    public static List<(int[] Tokens, bool Ended, double LogProbability, double Score)> Exhaustive(
        MarkovToyModel model, int source, int maxLength, LengthPenalty penalty)
    {
        var all = new List<(int[], bool, double, double)>();
        void Visit(List<int> history, int[] tokens, double logProbability)
        {
            var row = model.LogProbabilities(source, history);
            double ended = logProbability + row[End];
            all.Add((tokens, true, ended, ended / Divisor(penalty, tokens.Length + 1)));
            for (int token = 0; token < row.Length; token++)
            {
                if (token == End || float.IsNegativeInfinity(row[token]))
                    continue;
                int[] longer = [.. tokens, token];
                double sum = logProbability + row[token];
                if (longer.Length == maxLength)
                    all.Add((longer, false, sum, sum / Divisor(penalty, maxLength)));
                else
                    Visit([.. history, token], longer, sum);
            }
        }
        Visit([Start], [], 0);
        return all.OrderByDescending(h => h.Item4).ToList();
    }
}
