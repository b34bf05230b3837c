using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (tests/golden/optim/clipping.safetensors).</summary>
public sealed class GradientClippingTests
{
    private static readonly Lazy<Dictionary<string, TensorValue>> Golden =
        new(() => SafeTensors.Read(Path.Combine(OptimizerGolden.Root, "clipping.safetensors")));

    public static TheoryData<string> Cases() => OptimizerGolden.TheoryNames("clipping");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        var spec = OptimizerGolden.Case("clipping", name);
        var tensors = Golden.Value;
        var parameters = new ParameterSet(spec.GetProperty("parameters").EnumerateArray().Select(p =>
        {
            string key = $"{name}.{p.GetProperty("name").GetString()}";
            var grad = tensors[$"{key}.grad"];
            return new Parameter(key, grad.Shape, grad: grad.ToFloatArray());
        }));

        if (spec.GetProperty("kind").GetString() == "value")
            GradientClipping.ClipByValue(parameters, spec.GetProperty("clip_value").GetDouble());
        else
        {
            float total = GradientClipping.ClipByNorm(parameters, spec.GetProperty("max_norm").GetDouble(), OptimizerGolden.NormType(spec));
            // The norm is summed in PyTorch's order, so it is the very same float.
            Assert.Equal(((float[])tensors[$"{name}.total_norm"].Data)[0], total);
        }
        // Bit-identical too: one float32 multiply (or clamp) per element, as in PyTorch.
        foreach (var parameter in parameters) Assert.Equal((float[])tensors[$"{parameter.Name}.expected"].Data, parameter.Grad);
    }

    /// <summary>The PyTorch-order sum must still be a 2-norm: within a few float32 ulps of the exact one, at every length and tail shape.</summary>
    [Fact]
    public void The_pytorch_order_norm_is_close_to_the_exact_norm_at_every_length()
    {
        var random = new Random(5);
        for (int length = 0; length <= 300; length++)
        {
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2))];
            double exact = Math.Sqrt(x.Sum(v => (double)v * v));
            float got = GradientClipping.TorchNorm2(x);
            Assert.True(Math.Abs(got - exact) <= 4e-7 * exact, $"length {length}: {got} vs {exact}");
        }
    }

    [Fact]
    public void Gradients_within_the_limit_are_unchanged()
    {
        var parameters = new ParameterSet([new Parameter("a", [3], grad: [0.1f, -0.2f, 0.3f])]);
        float total = GradientClipping.ClipByNorm(parameters, 10);
        Assert.Equal(MathF.Sqrt(0.1f * 0.1f + 0.2f * 0.2f + 0.3f * 0.3f), total, 1e-7f);
        Assert.Equal([0.1f, -0.2f, 0.3f], parameters[0].Grad);
    }

    [Fact]
    public void A_NaN_gradient_gives_a_NaN_norm_and_NaN_gradients_as_in_pytorch()
    {
        var parameters = new ParameterSet([new Parameter("a", [2], grad: [float.NaN, 1]), new Parameter("b", [1], grad: [2])]);
        Assert.True(float.IsNaN(GradientClipping.ClipByNorm(parameters, 1)));
        Assert.All(parameters.SelectMany(p => p.Grad), g => Assert.True(float.IsNaN(g)));

        var byValue = new ParameterSet([new Parameter("a", [3], grad: [float.NaN, 5, -5])]);
        GradientClipping.ClipByValue(byValue, 1);
        Assert.True(float.IsNaN(byValue[0].Grad[0]));
        Assert.Equal([1f, -1f], byValue[0].Grad[1..]);
    }

    [Fact]
    public void The_infinity_norm_is_the_largest_magnitude()
    {
        var parameters = new ParameterSet([new Parameter("a", [2], grad: [1, -4]), new Parameter("b", [0]), new Parameter("c", [1], grad: [3])]);
        Assert.Equal(4f, GradientClipping.ClipByNorm(parameters, 2, double.PositiveInfinity));
        Assert.Equal(-4f * (1f / (4f + (float)1e-6) * 2f), parameters[0].Grad[1]);
    }

    [Fact]
    public void Clipping_allocates_nothing()
    {
        var parameters = new ParameterSet([new Parameter("a", [300], grad: new float[300]), new Parameter("b", [7], grad: new float[7])]);
        GradientClipping.ClipByNorm(parameters, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        GradientClipping.ClipByNorm(parameters, 1);
        GradientClipping.ClipByNorm(parameters, 1, double.PositiveInfinity);
        GradientClipping.ClipByValue(parameters, 1);
        parameters.ZeroGrad();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var parameters = new ParameterSet([new Parameter("a", [1], grad: [1])]);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(parameters, 1, normType: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(parameters, -1));
        Assert.Equal(0f, GradientClipping.ClipByNorm(new ParameterSet([]), 1));
    }
}
