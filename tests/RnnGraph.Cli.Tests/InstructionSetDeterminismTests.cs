using System.Diagnostics;
using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// Whether a machine without AVX-512 trains to the same weights: the same run in a child process with AVX-512 switched
/// off (<c>DOTNET_EnableAVX512F=0</c>: the GEMM's 6×16 AVX2 micro-kernel instead of 8×32, 256-bit vectors in the
/// matrix–vector kernels and TensorPrimitives). On a machine without AVX-512 both runs take the AVX2 paths and the test
/// shows nothing more than the same-seed test.
/// </summary>
public sealed class InstructionSetDeterminismTests
{
    [Theory]
    [InlineData("hello.yaml", "5")]  // batch 1: matrix–vector products
    [InlineData("names.yaml", "1")]  // batch 32, an LSTM: the packed GEMM
    public void Without_AVX512_training_gives_the_same_weights_bit_for_bit(string example, string epochs)
    {
        using var temp = new TempFolder();
        string here = Path.Combine(temp.Path, "here"), narrow = Path.Combine(temp.Path, "avx2");
        Assert.Equal(0, Run("run", Example(example), "--out", here, "--epochs", epochs, "--threads", "1").ExitCode);
        RunWithoutAvx512("run", Example(example), "--out", narrow, "--epochs", epochs, "--threads", "1");

        Assert.Equal(File.ReadAllBytes(Path.Combine(here, "weights.safetensors")), File.ReadAllBytes(Path.Combine(narrow, "weights.safetensors")));
    }

    /// <summary>Runs the CLI from its build output for this configuration in a child process with AVX-512 off.</summary>
    private static void RunWithoutAvx512(params string[] args)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        string cli = Path.Combine(RepoPaths.Root, "src", "RnnGraph.Cli", "bin", output.Parent!.Name, output.Name, "rnngraph.dll");
        Assert.True(File.Exists(cli), $"the CLI is not built at {cli}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_EnableAVX512F"] = "0";
        foreach (var arg in new[] { "exec", cli }.Concat(args)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "rnngraph run did not finish within two minutes");
        Assert.True(process.ExitCode == 0, $"rnngraph run exited with {process.ExitCode}: {stderr.Result}");
    }
}
