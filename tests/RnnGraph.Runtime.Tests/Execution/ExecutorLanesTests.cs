using System.Numerics;
using RnnGraph.Compiler;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>
/// Two-lane runs (<see cref="LaneSchedule"/>): every output and gradient bit-identical to the one-thread run, run after
/// run; the buffer plan never gives a lane an array the other lane may still read (checked against the schedule's
/// happens-before order, not by timing); a failing kernel on either lane is reported like on one thread.
/// </summary>
public sealed class ExecutorLanesTests
{
    private const string BidirectionalGru = "model:\n  inputs:\n    x: { size: 5 }\n  layers:\n    - rnn: { cell: gru, hidden: 8, layers: 2, bidirectional: true }\n    - dense: { units: 2, activation: softmax }\n";
    private const string TokenLstm = "model:\n  inputs:\n    x: { vocab: 6 }\n  layers:\n    - embed: { dim: 4 }\n    - rnn: { cell: lstm, hidden: 6, layers: 2, bidirectional: true, dropout: 0.3, recurrent_dropout: 0.2 }\n    - dense: { units: 6 }\n";

    public static TheoryData<string, string> Models() => new()
    {
        { "gru bidirectional 2 layers", BidirectionalGru },
        { "lstm 3 layers", "model:\n  inputs:\n    x: { size: 5 }\n  layers:\n    - rnn: { cell: lstm, hidden: 8, layers: 3 }\n    - dense: { units: 2 }\n" },
        { "lstm bidirectional with dropout", TokenLstm },
        { "many-to-one attention", "model:\n  topology: many-to-one\n  pooling: attention\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: rnn_tanh, hidden: 6, bidirectional: true }\n    - dense: { units: 2, activation: softmax }\n" },
    };

    private static Graph TrainingGraph(string spec, int steps)
    {
        var c = Compilation.Create(new SourceText("m.yaml", spec));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c.Optimize(c.Backward(c.Unroll(new UnrollOptions(steps, Training: true))));
    }

    /// <summary>Two lanes in every run, whatever the cost model predicts (these graphs are small) or timing says.</summary>
    private static Executor<T> TwoLanes<T>(Graph graph, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var executor = new Executor<T>(graph, batch, planMemory: true, threads: 2, minPredictedSpeedup: 0, measure: false);
        Assert.Equal(2, executor.Lanes);
        Assert.All(executor.Schedule!.Lanes, lane => Assert.NotEmpty(lane));
        return executor;
    }

    private static void Feed<T>(Executor<T> executor, int seed, int badTokenId = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach (var node in executor.Graph.Params.Concat(executor.Graph.Inputs))
        {
            var values = new T[node.Shape.ElementCount(executor.Batch)];
            var kind = node.Op.Name == "param" ? InputKind.Float : (InputKind)node.Attributes.I0;
            for (int i = 0; i < values.Length; i++)
                values[i] = T.CreateChecked(kind switch
                {
                    InputKind.TokenIds => badTokenId >= 0 && i == values.Length - 1 ? badTokenId : random.Next(6),
                    InputKind.Mask => random.Next(2),
                    InputKind.Dropout => random.NextDouble() < node.Attributes.Scalar ? 0 : 1 / (1 - node.Attributes.Scalar),
                    _ => random.NextDouble() - 0.5,
                });
            if (node.Op.Name == "param") executor.SetParam(node.Attributes.Name!, values);
            else executor.SetInput(node.Attributes.Name!, node.Attributes.Index, values);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Two_lanes_give_bit_identical_outputs_and_gradients_run_after_run(string name, string spec)
    {
        var graph = TrainingGraph(spec, steps: 7);
        Assert.Contains(graph.Outputs, o => o.Name.StartsWith("grad.", StringComparison.Ordinal));
        var one = new Executor<float>(graph, batch: 3);
        var two = TwoLanes<float>(graph, batch: 3);
        Assert.Equal(1, one.Lanes);
        // Many runs with new values each: a lane overwriting an array the other still reads, or reading one not yet
        // written, shows up as a differing bit in some run.
        for (int seed = 1; seed <= 60; seed++)
        {
            Feed(one, seed);
            Feed(two, seed);
            one.Run();
            two.Run();
            foreach (var output in graph.Outputs)
                Assert.True(one.Output(output).SequenceEqual(two.Output(output)), $"{name}: output {output.Name}[{output.Index}] differs in run {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void No_array_is_reused_before_every_reader_of_its_previous_value_is_known_to_be_done(string name, string spec)
    {
        var graph = TrainingGraph(spec, steps: 6);
        var executor = TwoLanes<double>(graph, batch: 2);
        var schedule = executor.Schedule!;
        var program = ProgramOf(graph);
        Assert.Equal(program.Length, schedule.LaneOf.Length);

        // Happens-before from the schedule's own edges (each lane's order, and each wait on the other lane's
        // progress), by search rather than by the plan's bookkeeping.
        var before = new List<int>[program.Length];
        for (int i = 0; i < program.Length; i++) before[i] = [];
        for (int lane = 0; lane < 2; lane++)
        {
            var list = schedule.Lanes[lane];
            for (int p = 0; p < list.Length; p++)
            {
                if (p > 0) before[list[p]].Add(list[p - 1]);
                if (schedule.Waits[lane][p] > 0) before[list[p]].Add(schedule.Lanes[1 - lane][schedule.Waits[lane][p] - 1]);
            }
        }
        bool HappensBefore(int a, int b)
        {
            var seen = new HashSet<int>();
            var stack = new Stack<int>(before[b]);
            while (stack.Count > 0)
            {
                int x = stack.Pop();
                if (x == a) return true;
                if (seen.Add(x)) foreach (int y in before[x]) stack.Push(y);
            }
            return false;
        }

        // Every data dependency is ordered too (else a lane could read a value not yet written).
        var writer = new Dictionary<Node, int>();
        for (int i = 0; i < program.Length; i++) writer[program[i]] = i;
        for (int i = 0; i < program.Length; i++)
            foreach (var input in program[i].Inputs)
                if (writer.TryGetValue(input, out int w)) Assert.True(HappensBefore(w, i), $"{name}: {input.Op.Name} is not done before {program[i].Op.Name} reads it");

        // Instructions whose outputs share an array: whichever writes second starts only after the first value's
        // writer and readers are done.
        var slot = new Dictionary<Node, int>();
        for (int i = 0; i < graph.Nodes.Count; i++) slot[graph.Nodes[i]] = i;
        var readers = program.Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < program.Length; i++)
            foreach (var input in program[i].Inputs)
                if (writer.TryGetValue(input, out int w)) readers[w].Add(i);
        var sharing = Enumerable.Range(0, program.Length)
            .GroupBy(i => executor.BufferOf(slot[program[i]]), ReferenceEqualityComparer.Instance)
            .Where(g => g.Count() > 1)
            .ToList();
        Assert.NotEmpty(sharing);
        foreach (var group in sharing)
        {
            var users = group.ToList();
            foreach (int a in users)
                foreach (int b in users)
                {
                    if (a == b) continue;
                    bool aFirst = HappensBefore(a, b), bFirst = HappensBefore(b, a);
                    Assert.True(aFirst || bFirst, $"{name}: {program[a].Op.Name} and {program[b].Op.Name} share an array but may run at once");
                    if (!aFirst) continue;
                    foreach (int r in readers[a]) Assert.True(HappensBefore(r, b), $"{name}: {program[b].Op.Name} may overwrite {program[a].Op.Name} before {program[r].Op.Name} reads it");
                }
        }
    }

    /// <summary>The instructions' nodes in program order: every node but the leaves.</summary>
    private static Node[] ProgramOf(Graph graph) =>
        [.. graph.Nodes.Where(n => n.Op.Name is not ("param" or "input" or "const" or "zeros"))];

    [Fact]
    public void The_two_directions_of_a_bidirectional_layer_run_on_different_lanes()
    {
        var c = Compilation.Create(new SourceText("m.yaml", "model:\n  inputs:\n    x: { size: 16 }\n  layers:\n    - rnn: { cell: gru, hidden: 32, bidirectional: true }\n    - dense: { units: 1 }\n"));
        var graph = c.Optimize(c.Unroll(new UnrollOptions(20)));
        var executor = new Executor<float>(graph, batch: 8, threads: 2);
        Assert.Equal(2, executor.Lanes);
        var schedule = executor.Schedule!;
        var program = ProgramOf(graph);
        // The recurrent products of each direction (h·W_hhᵀ at every step) stay on one lane.
        int LaneOfWeight(string weight) => program.Select((n, i) => (n, i))
            .Where(x => x.n.Op.Name == "matmul" && x.n.Inputs[1].Op.Name == "param" && x.n.Inputs[1].Attributes.Name == weight)
            .Select(x => schedule.LaneOf[x.i]).Distinct().Single();
        Assert.NotEqual(LaneOfWeight("rnn.weight_hh_l0"), LaneOfWeight("rnn.weight_hh_l0_reverse"));
        Assert.True(executor.PredictedSpeedup > 1.5, $"predicted {executor.PredictedSpeedup}");
    }

    [Fact]
    public void A_single_chain_stays_on_one_thread()
    {
        var graph = TrainingGraph("model:\n  inputs:\n    x: { size: 4 }\n  layers:\n    - rnn: { cell: lstm, hidden: 8 }\n    - dense: { units: 1 }\n", steps: 10);
        var executor = new Executor<float>(graph, batch: 1, threads: 2);
        Assert.Equal(1, executor.Lanes);
        Assert.Null(executor.Schedule);
    }

    [Fact]
    public void A_failing_kernel_on_either_lane_is_reported_and_the_next_run_works()
    {
        var graph = TrainingGraph(TokenLstm, steps: 5);
        var one = new Executor<float>(graph, batch: 2);
        var two = TwoLanes<float>(graph, batch: 2);
        Feed(one, 1, badTokenId: 99);
        Feed(two, 1, badTokenId: 99);
        var expected = Assert.Throws<RuntimeDataException>(one.Run);
        var actual = Assert.Throws<RuntimeDataException>(two.Run);
        Assert.Equal(expected.Message, actual.Message);

        Feed(one, 2);
        Feed(two, 2);
        one.Run();
        two.Run();
        foreach (var output in graph.Outputs) Assert.True(one.Output(output).SequenceEqual(two.Output(output)));
    }

    [Fact]
    public void A_two_lane_run_allocates_nothing_on_the_calling_thread()
    {
        var graph = TrainingGraph(BidirectionalGru, steps: 5);
        var executor = TwoLanes<float>(graph, batch: 3);
        Feed(executor, 1);
        executor.Run();
        executor.Run();
        Assert.Equal(0, Allocations.LeastOf(5, executor.Run));
    }

    [Fact]
    public void Training_with_two_threads_gives_the_weights_of_one_thread_step_after_step()
    {
        var compilation = Compilation.Create(new SourceText("m.yaml",
            "model:\n  inputs:\n    x: { size: 16 }\n  layers:\n    - rnn: { cell: gru, hidden: 32, layers: 2, bidirectional: true }\n    - dense: { units: 3 }\n"));
        Assert.False(compilation.HasErrors);
        var random = new Random(3);
        var batch = new TrainingBatch(12, 8, [.. Enumerable.Range(0, 12 * 8 * 16).Select(_ => (float)random.NextDouble() - 0.5f)],
            [.. Enumerable.Range(0, 12 * 8 * 3).Select(_ => (float)random.NextDouble() - 0.5f)]);
        Trainer Make(int threads) => new(compilation, ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1), Optimizers.Create("adam"),
            new TrainerOptions(LossKind.MeanSquaredError, ClipNorm: 1.0, Threads: threads));
        var one = Make(1);
        var two = Make(2);
        for (int step = 0; step < 4; step++)
        {
            Assert.Equal(one.Step(batch, 0.01), two.Step(batch, 0.01));
            Assert.Equal(one.Loss(batch), two.Loss(batch));
        }
        Assert.Equal(2, two.ExecutorOf(batch).Lanes);
        Assert.Equal(2, two.ExecutorOf(batch, withBackward: false).Lanes);
        Assert.Equal(one.Parameters.Select(p => p.Value), two.Parameters.Select(p => p.Value));
    }
}
