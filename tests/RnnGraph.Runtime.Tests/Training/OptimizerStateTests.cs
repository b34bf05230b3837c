using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Optimizer state: saving mid-run and resuming in a new optimizer continues bit for bit; bad states are refused.</summary>
public sealed class OptimizerStateTests
{
    public static TheoryData<string> Cases() => OptimizerGolden.TheoryNames("optimizers");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_from_a_checkpoint_continues_identically(string name)
    {
        var run = new OptimizerRun(name);
        var straight = run.CreateOptimizer();
        var straightParameters = run.InitialParameters();
        for (int step = 0; step < run.Steps; step++) run.TakeStep(straight, straightParameters, step);

        const int Stop = 3;
        var first = run.CreateOptimizer();
        var parameters = run.InitialParameters();
        for (int step = 0; step < Stop; step++) run.TakeStep(first, parameters, step);
        byte[] checkpoint = WriteCheckpoint(parameters, first.SaveState());

        var (resumedParameters, state) = ReadCheckpoint(checkpoint, run);
        var resumed = run.CreateOptimizer();
        resumed.LoadState(state);
        Assert.Equal(Stop, resumed.StepCount);
        for (int step = Stop; step < run.Steps; step++) run.TakeStep(resumed, resumedParameters, step);

        foreach (var parameter in straightParameters) Assert.Equal(parameter.Value, resumedParameters[parameter.Name].Value);
        var a = straight.SaveState();
        var b = resumed.SaveState();
        Assert.Equal(a.Step, b.Step);
        Assert.Equal(a.Tensors.Keys, b.Tensors.Keys);
        foreach (var (key, value) in a.Tensors) Assert.Equal(value, b.Tensors[key]);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    public void ZeroState_starts_over_like_a_new_optimizer(string name)
    {
        var (used, fresh) = (Optimizers.Create(name, Heavy(name)), Optimizers.Create(name, Heavy(name)));
        var p1 = Parameters();
        var p2 = Parameters();
        used.Step(p1, 0.1);
        used.ZeroState();
        Assert.Equal(0, used.StepCount);
        Assert.Empty(used.SaveState().Tensors);
        p1 = Parameters();
        used.Step(p1, 0.1);
        fresh.Step(p2, 0.1);
        Assert.Equal(p2[0].Value, p1[0].Value);
    }

    [Fact]
    public void A_state_is_a_copy_of_the_buffers()
    {
        var optimizer = new AdamOptimizer();
        var parameters = Parameters();
        optimizer.Step(parameters, 0.1);
        var saved = optimizer.SaveState();
        float before = saved.Tensors["w.exp_avg"][0];
        optimizer.Step(parameters, 0.1);
        Assert.Equal(before, saved.Tensors["w.exp_avg"][0]);
        Assert.Equal(["w.exp_avg", "w.exp_avg_sq", "b.exp_avg", "b.exp_avg_sq"], saved.Tensors.Keys);
    }

    [Fact]
    public void Loaded_state_is_saved_back_unchanged_before_the_next_step()
    {
        var optimizer = new SgdOptimizer(new SgdOptions(Momentum: 0.9));
        var state = new OptimizerState(4, new Dictionary<string, float[]> { ["w.momentum_buffer"] = [1, 2, 3, 4, 5, 6], ["b.momentum_buffer"] = [7, 8] });
        optimizer.LoadState(state);
        var saved = optimizer.SaveState();
        Assert.Equal(4, saved.Step);
        Assert.Equal(state.Tensors["w.momentum_buffer"], saved.Tensors["w.momentum_buffer"]);
    }

    [Fact]
    public void LoadState_refuses_buffers_the_optimizer_does_not_have()
    {
        var optimizer = new SgdOptimizer(new SgdOptions(Momentum: 0.9));
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadState(new OptimizerState(1, new Dictionary<string, float[]> { ["w.exp_avg"] = new float[6] })));
        Assert.Contains("'w.exp_avg' is not a state buffer of sgd", e.Message);
        Assert.Throws<ArgumentException>(() => optimizer.LoadState(new OptimizerState(-1, new Dictionary<string, float[]>())));
        e = Assert.Throws<ArgumentException>(() => optimizer.LoadState(new OptimizerState(0, new Dictionary<string, float[]> { ["w.momentum_buffer"] = new float[6] })));
        Assert.Contains("step 0 has no buffers", e.Message);
    }

    [Fact]
    public void The_first_step_after_loading_checks_the_buffers_against_the_parameters()
    {
        var missing = new AdamOptimizer();
        missing.LoadState(new OptimizerState(2, new Dictionary<string, float[]> { ["w.exp_avg"] = new float[6], ["w.exp_avg_sq"] = new float[6] }));
        Assert.Contains("has no 'b.exp_avg'", Assert.Throws<InvalidOperationException>(() => missing.Step(Parameters(), 0.1)).Message);

        var wrongLength = new AdamOptimizer();
        wrongLength.LoadState(new OptimizerState(2, Buffers(("w", 5), ("b", 2))));
        Assert.Contains("'w.exp_avg' has 5 elements but w [2, 3] has 6", Assert.Throws<InvalidOperationException>(() => wrongLength.Step(Parameters(), 0.1)).Message);

        var extra = new AdamOptimizer();
        extra.LoadState(new OptimizerState(2, Buffers(("w", 6), ("b", 2), ("gone", 3))));
        Assert.Contains("not being trained: gone.exp_avg, gone.exp_avg_sq", Assert.Throws<InvalidOperationException>(() => extra.Step(Parameters(), 0.1)).Message);
    }

    [Fact]
    public void Stepping_other_parameters_than_the_state_belongs_to_throws()
    {
        var optimizer = new AdamOptimizer();
        optimizer.Step(Parameters(), 0.1);
        optimizer.Step(Parameters(), 0.1); // another set with the same layout is fine
        var other = new ParameterSet([new Parameter("w", [6]), new Parameter("c", [2])]);
        Assert.Contains("parameter 1 was b [2] and is now c [2]", Assert.Throws<InvalidOperationException>(() => optimizer.Step(other, 0.1)).Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_negative_or_NaN_learning_rate_is_refused(double lr) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer().Step(Parameters(), lr));

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    public void Steps_after_the_first_allocate_nothing_and_leave_gradients_alone(string name)
    {
        var optimizer = Optimizers.Create(name, Heavy(name));
        var parameters = Parameters();
        float[] gradient = (float[])parameters[0].Grad.Clone();
        optimizer.Step(parameters, 0.01);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) optimizer.Step(parameters, 0.01);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(gradient, parameters[0].Grad);
    }

    /// <summary>Options that create every state buffer of the optimizer.</summary>
    private static OptimizerOptions Heavy(string name) => name switch
    {
        "sgd" => new SgdOptions(Momentum: 0.9, Nesterov: true, WeightDecay: 0.1),
        "adam" => new AdamOptions(WeightDecay: 0.1, AmsGrad: true),
        "adamw" => new AdamWOptions(AmsGrad: true),
        _ => new RmsPropOptions(Momentum: 0.9, Centered: true, WeightDecay: 0.1),
    };

    private static ParameterSet Parameters() => new(
    [
        new Parameter("w", [2, 3], [0.5f, -1, 2, 0, 3, -0.25f], [0.1f, 0.2f, -0.3f, 0, 1, -2]),
        new Parameter("b", [2], [1, -1], [0.5f, -0.5f]),
    ]);

    private static Dictionary<string, float[]> Buffers(params (string Name, int Length)[] parameters) =>
        parameters.SelectMany(p => new[] { ($"{p.Name}.exp_avg", p.Length), ($"{p.Name}.exp_avg_sq", p.Length) })
            .ToDictionary(b => b.Item1, b => new float[b.Item2]);

    /// <summary>A checkpoint as a safetensors image: the parameters, the state buffers under <c>optimizer.</c>, the step in the metadata.</summary>
    private static byte[] WriteCheckpoint(ParameterSet parameters, OptimizerState state)
    {
        var tensors = parameters.ToTensors();
        foreach (var (key, value) in state.Tensors) tensors.Add($"optimizer.{key}", TensorValue.FromFloat(value, value.Length));
        return SafeTensors.WriteBytes(tensors, new Dictionary<string, string> { ["optimizer.step"] = state.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private static (ParameterSet, OptimizerState) ReadCheckpoint(byte[] checkpoint, OptimizerRun run)
    {
        var tensors = SafeTensors.ReadBytes(checkpoint, out var metadata);
        var parameters = new ParameterSet(run.Parameters.Select(p => new Parameter(p.Name, p.Shape, tensors[p.Name].ToFloatArray())));
        var buffers = tensors.Where(t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key["optimizer.".Length..], t => t.Value.ToFloatArray());
        return (parameters, new OptimizerState(long.Parse(metadata["optimizer.step"], System.Globalization.CultureInfo.InvariantCulture), buffers));
    }
}
