namespace RnnGraph.Dsl.Diagnostics;

/// <summary>Edit distance between names and "did you mean ...?" suggestions built on it.</summary>
public static class StringDistance
{
    /// <summary>
    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// adjacent characters each cost 1. Swaps count once because they are the most common typo
    /// (<c>hidedn</c>), which plain Levenshtein would charge twice.
    /// </summary>
    public static int Distance(string a, string b)
    {
        // Three rolling rows are enough: a swap looks back two rows.
        var prev2 = new int[b.Length + 1];
        var prev = new int[b.Length + 1];
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;

        for (int i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int best = Math.Min(Math.Min(prev[j] + 1, row[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    best = Math.Min(best, prev2[j - 2] + 1);
                row[j] = best;
            }
            (prev2, prev, row) = (prev, row, prev2);
        }
        return prev[b.Length];
    }

    /// <summary>
    /// The candidate closest to <paramref name="typo"/> (ignoring case), or null when none is close
    /// enough to be a plausible typo: at most one edit per three characters, at least one for names
    /// of three or more characters, and for shorter ones only
    /// a difference in case or one letter added or removed.
    /// Ties go to the candidate listed first, so callers list the most common names first.
    /// </summary>
    public static string? Suggest(string typo, IEnumerable<string> candidates)
    {
        string lowered = typo.ToLowerInvariant();
        // One- and two-letter names are too short for an edit to mean a typo ('y' is not a misspelt 'h').
        int limit = typo.Length <= 2 ? 0 : Math.Max(1, (typo.Length + 1) / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            string other = candidate.ToLowerInvariant();
            int d = Distance(lowered, other);
            // A short name may still have one letter too many or too few ('hh' for 'h', 'rn' for 'rnn'),
            // but a different letter in a one- or two-letter name is another name ('y' is not 'h').
            bool close = d <= limit || (typo.Length <= 2 && d == 1 && other.Length != lowered.Length);
            if (close && d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }
}
