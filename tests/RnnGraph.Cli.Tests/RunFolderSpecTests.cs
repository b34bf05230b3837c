using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>A spec inside a run folder binds <c>vocab: auto</c> / <c>units: auto</c> to the run's vocab.json.</summary>
public sealed class RunFolderSpecTests
{
    [Fact]
    public void A_run_folder_spec_binds_auto_sizes_to_its_vocabulary_so_eval_takes_its_weights()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "hello");
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", folder, "--epochs", "2").ExitCode);
        string inputs = Path.Combine(temp.Path, "in.safetensors"), output = Path.Combine(temp.Path, "out.safetensors");
        RnnGraph.Runtime.IO.SafeTensors.Write(inputs, new Dictionary<string, RnnGraph.Runtime.IO.TensorValue>
        {
            ["x"] = RnnGraph.Runtime.IO.TensorValue.FromInt64([2, 6, 5], 3, 1),
        });

        var result = Run("eval", Path.Combine(folder, "spec.yaml"), "--weights", Path.Combine(folder, "weights.safetensors"), "--inputs", inputs, "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([3, 1, 8], RnnGraph.Runtime.IO.SafeTensors.Read(output)["y"].Shape);
    }
}
