using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>
/// The resource guard's estimate (<see cref="MemoryEstimate"/>) against what the runtime really allocates, and the limit's
/// syntax (<see cref="MemoryLimit"/>).
/// </summary>
public sealed class MemoryEstimateTests
{
    private static Compilation Compile(string cell, int hidden) => Compilation.Create(new SourceText("m.yaml",
        $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: {hidden} }}\n    - dense: {{ units: 2 }}\n"));

    private static TrainingBatch Batch(int steps, int batch) =>
        new(steps, batch, new float[steps * batch * 3], new float[steps * batch * 2]);

    /// <summary>
    /// The estimate measures graphs of up to 16 steps and extrapolates longer ones from 8 and 16; the reference is the executor the trainer plans at the
    /// full length, whose arrays are counted after they are allocated (<see cref="Executor{T}.PlannedBytes"/>).
    /// </summary>
    [Theory]
    [InlineData("lstm", 3)]
    [InlineData("gru", 12)]
    [InlineData("rnn_tanh", 16)]
    [InlineData("lstm", 40)]
    [InlineData("gru", 25)]
    [InlineData("rnn_tanh", 80)]
    public void The_estimated_buffers_are_within_a_few_percent_of_the_executors_allocation(string cell, int steps)
    {
        var compilation = Compile(cell, 16);
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1);
        var optimizer = Optimizers.Create("sgd");
        var estimate = Trainer.EstimateStep(compilation, LossKind.MeanSquaredError, steps, 4, optimizer);
        var trainer = new Trainer(compilation, parameters, optimizer, new TrainerOptions(LossKind.MeanSquaredError));
        long allocated = trainer.ExecutorOf(Batch(steps, 4)).PlannedBytes;

        // The executor holds one copy of the weights and one of their gradients; the parameter set holds the others.
        long weightBytes = parameters.Sum(p => (long)p.Length) * sizeof(float);
        // Packed weights and the graph's nodes are not among the executor's arrays.
        long estimated = estimate.Parts.Where(p => p.Name is not ("graph" or "packed weights")).Sum(p => p.Bytes) - 2 * weightBytes;
        double error = Math.Abs(estimated - allocated) / (double)allocated;
        // Arrays are shared by equal sizes, so the split into per-sequence and shared bytes (from B=1 and 2) is not exact at B=4.
        Assert.True(error < 0.05, $"estimated {estimated} bytes, the executor allocated {allocated}");
    }

    [Fact]
    public void A_trainer_refuses_a_batch_shape_that_would_exceed_the_limit_before_it_unrolls_it()
    {
        var compilation = Compile("lstm", 8);
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1);
        var trainer = new Trainer(compilation, parameters, Optimizers.Create("adam"), new TrainerOptions(LossKind.MeanSquaredError));
        long weights = parameters.Sum(p => (long)p.Length);
        Assert.Equal(4 * 8 * (3 + 8) + 2 * 4 * 8 + 2 * 8 + 2, weights); // PyTorch's count: 4H(I+H) + 8H, then the head

        using (MemoryLimit.Use(new MemoryLimit(1_000_000, "a test's limit")))
        {
            var e = Assert.Throws<MemoryLimitException>(() => trainer.Step(Batch(100_000, 2), 0.1));
            Assert.StartsWith("this model needs about ", e.Message);
            Assert.Contains("T=100000 × B=2 × ", e.Message);
            Assert.EndsWith("above the memory limit of 1.0 MB (a test's limit); lower hidden (m.yaml(5,34)), training.batch_size (default 32) " +
                            "or the sequence length, or raise the limit with --memory-limit or RNNGRAPH_MEMORY_LIMIT", e.Message);
            // A short batch still fits and trains.
            Assert.True(double.IsFinite(trainer.Step(Batch(3, 2), 0.1)));
        }
    }

    [Theory]
    [InlineData("8GB", 8_000_000_000L)]
    [InlineData("8 gb", 8_000_000_000L)]
    [InlineData("512MiB", 536_870_912L)]
    [InlineData("1.5T", 1_500_000_000_000L)]
    [InlineData("123456", 123456L)]
    [InlineData("2KiB", 2048L)]
    public void Limits_read_decimal_and_binary_units(string text, long bytes)
    {
        var limit = MemoryLimit.Parse(text, "x", out string? error);
        Assert.Null(error);
        Assert.Equal(bytes, limit!.Bytes);
    }

    [Fact]
    public void A_percentage_is_of_physical_memory()
    {
        var limit = MemoryLimit.Parse("50%", "--memory-limit 50%", out _);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, limit!.Bytes, tolerance: 1);
        Assert.Equal("--memory-limit 50% of physical memory", limit.Source);
        Assert.Equal((long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8), MemoryLimit.Default.Bytes);
        Assert.Equal("80% of physical memory", MemoryLimit.Default.Source);
    }

    [Theory]
    [InlineData("lots", "'lots' is not a memory size; give bytes with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB), e.g. 8GB, or a percentage of physical memory, e.g. 50%")]
    [InlineData("8XB", "'8XB' is not a memory size; give bytes with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB), e.g. 8GB, or a percentage of physical memory, e.g. 50%")]
    [InlineData("-1GB", "'-1GB' is not a memory size; give bytes with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB), e.g. 8GB, or a percentage of physical memory, e.g. 50%")]
    [InlineData("150%", "'150%' is not a percentage in (0, 100]")]
    public void A_limit_that_is_not_a_size_is_refused_with_the_syntax(string text, string message)
    {
        Assert.Null(MemoryLimit.Parse(text, "x", out string? error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(999L, "999 bytes")]
    [InlineData(1_000L, "1.0 kB")]
    [InlineData(16_000_072_000_032L, "16.0 TB")]
    [InlineData(3_660_000_000_000L, "3.7 TB")]
    [InlineData(512_000_000L, "512 MB")]
    public void Sizes_print_in_decimal_units(long bytes, string text) => Assert.Equal(text, MemoryLimit.Format(bytes));
}
