using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>Top-k sampling: k = 1 is greedy (no randomness left), k = the vocabulary changes nothing, null keeps the old draw.</summary>
public sealed class SamplerTopKTests
{
    private const int Vocabulary = 8;

    private static Sampler Untrained(int seed)
    {
        var compilation = RunFolders.Hello(Vocabulary);
        return new Sampler(compilation, ParameterInitializer.PyTorchDefaults(compilation.Model!, seed));
    }

    [Fact]
    public void Top_1_is_greedy_whatever_the_generator_and_the_temperature()
    {
        var sampler = Untrained(seed: 3);
        var greedy = sampler.Sample([], 12, 1.0, new Random(1), topK: 1);

        for (int seed = 2; seed < 12; seed++)
            Assert.Equal(greedy, sampler.Sample([], 12, 0.3 + seed, new Random(seed), topK: 1));
        Assert.All(greedy, t => Assert.InRange(t, 3, Vocabulary - 1));
    }

    [Fact]
    public void Top_k_over_the_whole_vocabulary_draws_as_without_top_k()
    {
        var sampler = Untrained(seed: 5);
        for (int seed = 0; seed < 5; seed++)
            Assert.Equal(sampler.Sample([], 20, 1.0, new Random(seed)), sampler.Sample([], 20, 1.0, new Random(seed), topK: Vocabulary));
    }

    [Fact]
    public void Small_k_narrows_the_first_draw_to_k_outcomes()
    {
        var sampler = Untrained(seed: 7);
        var random = new Random(1);
        int First(int? k) { var s = sampler.Sample([], 1, 1.0, random, k); return s.Count == 0 ? -1 : s[0]; }  // -1: <eos>
        int free = Enumerable.Range(0, 60).Select(_ => First(null)).Distinct().Count();
        int top2 = Enumerable.Range(0, 60).Select(_ => First(2)).Distinct().Count();
        Assert.True(free > 2, $"an untrained model should spread its first draws, got {free} outcomes");
        Assert.Equal(2, top2);
    }

    [Fact]
    public void K_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Untrained(1).Sample([], 5, 1.0, new Random(1), topK: 0));
}
