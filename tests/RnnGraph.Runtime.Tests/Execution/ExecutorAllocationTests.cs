using RnnGraph.Compiler;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>The executor plans its buffers once: running a planned graph again allocates nothing.</summary>
public sealed class ExecutorAllocationTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void A_second_run_of_forward_and_backward_allocates_no_memory(string cell)
    {
        var compilation = Compilation.Create(new SourceText("a.yaml",
            $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 4, bidirectional: true }}\n    - dense: {{ units: 2, activation: softmax }}\n"));
        var graph = compilation.Optimize(compilation.Backward(compilation.Unroll(new UnrollOptions(5))));
        var executor = new Executor<float>(graph, batch: 3);
        var random = new Random(1);
        foreach (var node in graph.Params.Concat(graph.Inputs))
        {
            var values = new float[node.Shape.ElementCount(3)];
            for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
            if (node.Op.Name == "param") executor.SetParam(node.Attributes.Name!, values);
            else executor.SetInput(node.Attributes.Name!, node.Attributes.Index, values);
        }
        executor.Run();
        float first = executor.Output("grad.rnn.weight_hh_l0").ToArray().Sum();

        long before = GC.GetAllocatedBytesForCurrentThread();
        executor.Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(first, executor.Output("grad.rnn.weight_hh_l0").ToArray().Sum());
    }
}
