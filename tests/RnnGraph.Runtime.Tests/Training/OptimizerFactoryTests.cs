using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>The factory: names, PyTorch's defaults, options that do not fit, and PyTorch's validation messages.</summary>
public sealed class OptimizerFactoryTests
{
    [Fact]
    public void Creates_each_optimizer_with_pytorchs_defaults()
    {
        Assert.Equal(["sgd", "adam", "adamw", "rmsprop"], Optimizers.Names);
        Assert.Equal(new SgdOptions(0, 0, false, 0, false), Assert.IsType<SgdOptimizer>(Optimizers.Create("sgd")).Options);
        Assert.Equal(new AdamOptions(0.9, 0.999, 1e-8, 0, false, false), Assert.IsType<AdamOptimizer>(Optimizers.Create("adam")).Options);
        Assert.Equal(new AdamWOptions(0.9, 0.999, 1e-8, 1e-2, false, false), Assert.IsType<AdamWOptimizer>(Optimizers.Create("adamw")).Options);
        Assert.Equal(new RmsPropOptions(0.99, 1e-8, 0, 0, false, false), Assert.IsType<RmsPropOptimizer>(Optimizers.Create("rmsprop")).Options);
        Assert.All(Optimizers.Names, name => Assert.Equal(name, Optimizers.Create(name).Name));
    }

    [Fact]
    public void Unknown_names_and_mismatched_options_are_refused()
    {
        Assert.Contains("unknown optimizer 'Adam'; expected one of sgd, adam, adamw, rmsprop", Assert.Throws<ArgumentException>(() => Optimizers.Create("Adam")).Message);
        Assert.Contains("optimizer 'adamw' takes AdamWOptions, not AdamOptions", Assert.Throws<ArgumentException>(() => Optimizers.Create("adamw", new AdamOptions())).Message);
    }

    [Theory]
    [InlineData("sgd", "Invalid momentum value: -0.5")]
    [InlineData("sgd-nesterov", "Nesterov momentum requires a momentum and zero dampening")]
    [InlineData("adam", "Invalid beta parameter at index 1: 1")]
    [InlineData("adamw", "Invalid epsilon value: NaN")]
    [InlineData("rmsprop", "Invalid alpha value: -1")]
    public void Invalid_options_fail_with_pytorchs_message(string which, string message)
    {
        OptimizerOptions options = which switch
        {
            "sgd" => new SgdOptions(Momentum: -0.5),
            "sgd-nesterov" => new SgdOptions(Momentum: 0.9, Dampening: 0.1, Nesterov: true),
            "adam" => new AdamOptions(Beta2: 1),
            "adamw" => new AdamWOptions(Eps: double.NaN),
            _ => new RmsPropOptions(Alpha: -1),
        };
        Assert.Equal(message, options.Validate());
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => Optimizers.Create(which.Split('-')[0], options)).Message);
    }

    [Theory]
    [InlineData("sgd", "")]
    [InlineData("sgd momentum", "momentum_buffer")]
    [InlineData("adam", "exp_avg exp_avg_sq")]
    [InlineData("adamw amsgrad", "exp_avg exp_avg_sq max_exp_avg_sq")]
    [InlineData("rmsprop", "square_avg")]
    [InlineData("rmsprop momentum centered", "square_avg momentum_buffer grad_avg")]
    public void State_keys_are_pytorchs(string setup, string keys)
    {
        string[] words = setup.Split(' ');
        var optimizer = Optimizers.Create(words[0], words[0] switch
        {
            "sgd" => new SgdOptions(Momentum: words.Contains("momentum") ? 0.9 : 0),
            "adam" => new AdamOptions(),
            "adamw" => new AdamWOptions(AmsGrad: words.Contains("amsgrad")),
            _ => new RmsPropOptions(Momentum: words.Contains("momentum") ? 0.9 : 0, Centered: words.Contains("centered")),
        });
        var parameters = new ParameterSet([new Parameter("p", [2], [1, 2], [0.5f, -0.5f])]);
        Assert.Empty(optimizer.SaveState().Tensors);
        optimizer.Step(parameters, 0.1);
        Assert.Equal(keys.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(k => $"p.{k}"), optimizer.SaveState().Tensors.Keys);
    }
}
