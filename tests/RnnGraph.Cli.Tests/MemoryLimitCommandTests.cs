using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Benchmarks;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// The resource guard end to end: <c>run</c>, <c>eval</c> and <c>bench</c> refuse a model that would not fit under
/// <c>--memory-limit</c> with error RG0301, exit code 1 and nothing written, before the weights are allocated or a long
/// sequence unrolled (a refusal that came later would be an OutOfMemoryException, or would not finish in a test).
/// </summary>
public sealed class MemoryLimitCommandTests
{
    private const string Raise = "raise the limit with --memory-limit or RNNGRAPH_MEMORY_LIMIT";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    [Fact]
    public void Run_refuses_a_hidden_size_of_a_million_before_allocating_its_weights()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("big.yaml", """
            model:
              inputs:
                x: { vocab: auto, one_hot: true }
              layers:
                - rnn: { cell: rnn_tanh, hidden: 1000000 }
                - dense: { units: auto }
            data:
              text: hello
              validation: 0
            training:
              batch_size: 4
            """);
        string folder = temp.File("run");

        var result = Run("run", spec, "--out", folder, "--memory-limit", "10GB");

        // PyTorch's counts for vocabulary V = 8 (<pad> <unk> <bos> <eos> h e l o) and H = 10^6: weight_ih [H,V],
        // weight_hh [H,H], two biases [H]; the head [V,H] and [V]. Training with Adam keeps the parameter set and the
        // executor's copy (2), the gradients twice (the set's and the graph's outputs) and Adam's exp_avg and exp_avg_sq.
        const long H = 1_000_000, V = 8;
        long weights = H * V + H * H + 2 * H + V * H + V;
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"error RG0301: this model needs about 24.0 TB (parameters 8.0 TB: 2 copies of {Count(weights)} weights, the largest " +
            "rnn.weight_hh_l0 [1000000,1000000], rnn.weight_ih_l0 [1000000,8]; gradients and adam state 16.0 TB: 4 copies of the weights), " +
            $"above the memory limit of 10.0 GB (--memory-limit 10GB); lower hidden ({spec}(5,38)), batch_size ({spec}(11,15)) " +
            $"or the length of the data's lines (data.max_tokens cuts them), or {Raise}\n", result.Error);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Eval_refuses_a_model_too_large_for_the_limit_and_writes_nothing()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("big.yaml", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 1000000 }\n");
        string weightsPath = temp.File("w.safetensors"), inputsPath = temp.File("in.safetensors"), outPath = temp.File("out.safetensors");
        SafeTensors.Write(weightsPath, new Dictionary<string, TensorValue> { ["rnn.bias_ih_l0"] = TensorValue.FromFloat(new float[3], 3) });
        SafeTensors.Write(inputsPath, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromFloat(new float[6], 2, 1, 3) });

        var result = Run("eval", spec, "--weights", weightsPath, "--inputs", inputsPath, "--out", outPath, "--memory-limit", "10GB");

        // GRU: weight_ih [3H,I], weight_hh [3H,H], two biases [3H]; eval holds the weights it read and the executor's copy.
        const long H = 1_000_000, I = 3;
        long weights = 3 * H * I + 3 * H * H + 2 * 3 * H;
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"error RG0301: this model needs about 24.0 TB (parameters 24.0 TB: 2 copies of {Count(weights)} weights, the largest " +
            "rnn.weight_hh_l0 [3000000,1000000], rnn.weight_ih_l0 [3000000,3]), above the memory limit of 10.0 GB (--memory-limit 10GB); " +
            $"lower hidden ({spec}(5,33)) or the batch or length of the inputs, or {Raise}\n", result.Error);
        Assert.False(File.Exists(outPath));
    }

    /// <summary>
    /// Ten million steps would unroll to hundreds of millions of nodes; the refusal extrapolates from graphs of 8 and 16
    /// steps. The expected figures come from the executors the trainer really allocates for those lengths at B = 1 and 2
    /// (per step and sequence: how their buffers grow from T=8 to T=16 and from B=1 to B=2) and their graphs' node counts.
    /// </summary>
    [Fact]
    public void Bench_refuses_ten_million_steps_before_unrolling_them()
    {
        var result = Run("bench", "--cell", "lstm", "--input", "64", "--hidden", "256", "--batch", "64", "--steps", "10000000", "--memory-limit", "16GB");

        var compilation = Compilation.Create(new SourceText("bench.yaml", new BenchConfig("lstm", 64, 256, 64, 16, 1, false).ToSpec()));
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1);
        var trainer = new Trainer(compilation, parameters, new SgdOptimizer(), new TrainerOptions(LossKind.MeanSquaredError));
        long Planned(int steps, int batch) => trainer.ExecutorOf(new TrainingBatch(steps, batch, new float[steps * batch * 64], new float[steps * batch])).PlannedBytes;
        int Nodes(int steps) => trainer.GraphFor(new TrainingBatch(steps, 1, new float[steps * 64], new float[steps])).Nodes.Count;
        long weightBytes = parameters.Sum(p => (long)p.Length) * 4;
        long PerSequence(int steps) => Planned(steps, 2) - Planned(steps, 1);
        // Batch-independent buffers besides the executor's weights and gradients, e.g. the time-batched weight gradients.
        long Shared(int steps) => Planned(steps, 1) - PerSequence(steps) - 2 * weightBytes;
        const long T = 10_000_000, B = 64;
        long perStep = (PerSequence(16) - PerSequence(8)) / 8;
        long activations = B * (PerSequence(16) + (T - 16) * perStep);
        long nodes = Nodes(16) + (T - 16) * ((Nodes(16) - Nodes(8)) / 8);
        long shared = Shared(16) + (T - 16) * ((Shared(16) - Shared(8)) / 8);
        // The parameter set and the executor each hold the weights and their gradients; SGD keeps no state.
        long total = 4 * weightBytes + shared + activations + nodes * MemoryEstimate.BytesPerGraphNode;

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"error RG0301: this model needs about {MemoryLimit.Format(total)} (activations {MemoryLimit.Format(activations)}: T=10000000 × B=64 × " +
            $"{MemoryLimit.Format(perStep)} per step and sequence; graph {MemoryLimit.Format(nodes * MemoryEstimate.BytesPerGraphNode)}: about " +
            $"{Count(nodes)} nodes), above the memory limit of 16.0 GB (--memory-limit 16GB); lower --hidden, --batch or --steps, or {Raise}\n",
            result.Error);
    }

    [Fact]
    public void A_limit_that_is_not_a_size_is_a_usage_error()
    {
        var result = Run("run", Example("hello.yaml"), "--memory-limit", "lots");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --memory-limit: 'lots' is not a memory size; give bytes with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB), " +
                     "e.g. 8GB, or a percentage of physical memory, e.g. 50%", result.ErrorLines[0]);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("eval")]
    [InlineData("bench")]
    public void The_commands_that_allocate_a_model_document_the_limit(string command)
    {
        var result = Run(command, "--help");
        Assert.Contains("  --memory-limit SIZE       refuse a model that would need more memory than this (error RG0301, before anything large is allocated): " +
                        "e.g. 8GB, 512MiB or 50%; default $RNNGRAPH_MEMORY_LIMIT, else 80% of physical memory (or of the container's limit)", result.Out);
    }
}
