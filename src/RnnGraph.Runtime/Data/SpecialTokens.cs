namespace RnnGraph.Runtime.Data;

/// <summary>The four tokens every <see cref="Vocabulary"/> starts with, at fixed ids so padded batches and masks never need the vocabulary.</summary>
public static class SpecialTokens
{
    /// <summary>Padding; id 0 so a freshly allocated id array is already padded.</summary>
    public const int PadId = 0;

    /// <summary>Any token the vocabulary does not hold.</summary>
    public const int UnkId = 1;

    /// <summary>Beginning of a sequence.</summary>
    public const int BosId = 2;

    /// <summary>End of a sequence.</summary>
    public const int EosId = 3;

    public const string Pad = "<pad>";
    public const string Unk = "<unk>";
    public const string Bos = "<bos>";
    public const string Eos = "<eos>";

    /// <summary>The special tokens in id order.</summary>
    public static IReadOnlyList<string> All { get; } = [Pad, Unk, Bos, Eos];

    public static int Count => All.Count;
}
