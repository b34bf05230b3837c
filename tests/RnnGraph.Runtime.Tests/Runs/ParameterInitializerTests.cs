using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>The weight initializations of <c>training.init</c>: default, xavier and orthogonal.</summary>
public sealed class ParameterInitializerTests
{
    private const int Hidden = 5;

    private static readonly BoundModel Model = Compilation.Create(new SourceText("m.yaml",
        $"model:\n  inputs:\n    x: {{ vocab: 7 }}\n  layers:\n    - embed: {{ dim: 3 }}\n    - rnn: {{ cell: lstm, hidden: {Hidden}, layers: 2, bidirectional: true }}\n    - dense: {{ units: 7 }}\n")).Model!;

    [Fact]
    public void Default_is_PyTorchs_defaults()
    {
        var expected = ParameterInitializer.PyTorchDefaults(Model, 3);
        var actual = ParameterInitializer.Create(Model, "default", 3);

        Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
        foreach (var p in expected) Assert.Equal(p.Value, actual[p.Name].Value);
    }

    [Theory]
    [InlineData("xavier")]
    [InlineData("orthogonal")]
    public void Xavier_bounds_hold_biases_are_zero_and_embeddings_are_normal(string init)
    {
        var parameters = ParameterInitializer.Create(Model, init, 1);

        Assert.Equal(Model.Parameters.Select(p => p.Name), parameters.Select(p => p.Name));
        foreach (var p in parameters)
        {
            string local = p.Name[(p.Name.IndexOf('.') + 1)..];
            if (p.Name.StartsWith("embed", StringComparison.Ordinal))
            {
                Assert.Contains(p.Value, v => Math.Abs(v) > 0.5f);
                Assert.InRange(p.Value.Average(), -0.5, 0.5);
            }
            else if (local.StartsWith("bias", StringComparison.Ordinal))
            {
                Assert.All(p.Value, v => Assert.Equal(0f, v));
            }
            else if (init == "orthogonal" && local.StartsWith("weight_hh", StringComparison.Ordinal))
            {
                continue;
            }
            else
            {
                Assert.Equal(2, p.Shape.Length);
                double a = Math.Sqrt(6.0 / (p.Shape[0] + p.Shape[1]));
                Assert.All(p.Value, v => Assert.InRange(v, -a, a));
                // Spread over the range, not bunched at 1/sqrt(H) or 0.
                Assert.Contains(p.Value, v => Math.Abs(v) > a / 2);
            }
        }
        Assert.Contains(parameters, p => p.Name == "dense.weight");
        Assert.Contains(parameters, p => p.Name == "rnn.weight_ih_l1_reverse");
    }

    [Fact]
    public void Orthogonal_recurrent_gate_blocks_are_orthogonal()
    {
        var parameters = ParameterInitializer.Create(Model, "orthogonal", 2);

        var recurrent = parameters.Where(p => p.Name.Contains(".weight_hh", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, recurrent.Count);
        foreach (var p in recurrent)
        {
            Assert.Equal([4 * Hidden, Hidden], p.Shape);
            for (int gate = 0; gate < 4; gate++)
            {
                for (int i = 0; i < Hidden; i++)
                    for (int j = 0; j < Hidden; j++)
                    {
                        // (QᵀQ)[i, j] over the rows of this gate's block.
                        double dot = 0;
                        for (int r = 0; r < Hidden; r++)
                            dot += (double)At(p, gate * Hidden + r, i) * At(p, gate * Hidden + r, j);
                        Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"{p.Name} gate {gate}: (QᵀQ)[{i},{j}] = {dot}");
                    }
            }
        }
    }

    [Fact]
    public void Orthogonal_matrices_wider_than_tall_have_orthonormal_rows()
    {
        var q = ParameterInitializer.OrthogonalMatrix(new Random(4), 3, 6);

        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double dot = 0;
                for (int c = 0; c < 6; c++) dot += q[i, c] * q[j, c];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-12);
            }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("xavier")]
    [InlineData("orthogonal")]
    public void The_same_seed_gives_the_same_values_and_another_seed_others(string init)
    {
        var first = ParameterInitializer.Create(Model, init, 11);
        var second = ParameterInitializer.Create(Model, init, 11);
        var other = ParameterInitializer.Create(Model, init, 12);

        foreach (var p in first) Assert.Equal(p.Value, second[p.Name].Value);
        Assert.NotEqual(first["dense.weight"].Value, other["dense.weight"].Value);
        Assert.NotEqual(first["rnn.weight_hh_l0"].Value, other["rnn.weight_hh_l0"].Value);
    }

    [Fact]
    public void The_three_initializations_differ()
    {
        var d = ParameterInitializer.Create(Model, "default", 1)["rnn.weight_hh_l0"].Value;
        var x = ParameterInitializer.Create(Model, "xavier", 1)["rnn.weight_hh_l0"].Value;
        var o = ParameterInitializer.Create(Model, "orthogonal", 1)["rnn.weight_hh_l0"].Value;

        Assert.NotEqual(d, x);
        Assert.NotEqual(x, o);
    }

    [Fact]
    public void An_unknown_name_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.Create(Model, "kaiming", 1));

    private static float At(Parameter p, int row, int col) => p.Value[row * p.Shape[1] + col];
}
