using RnnGraph.Compiler.Ops;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>One op, one entry in each table: every op of the compiler has a kernel for float and double.</summary>
public sealed class KernelTableCoverageTests
{
    private static IEnumerable<string> OpsWithInputs => OpTable.All.Where(op => !op.IsLeaf).Select(op => op.Name);

    [Fact]
    public void Every_op_with_inputs_has_a_float_kernel()
    {
        var missing = OpsWithInputs.Where(op => !KernelTable<float>.TryGet(op, out _)).ToList();
        Assert.True(missing.Count == 0, $"ops without a float kernel in KernelTable: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_op_with_inputs_has_a_double_kernel()
    {
        var missing = OpsWithInputs.Where(op => !KernelTable<double>.TryGet(op, out _)).ToList();
        Assert.True(missing.Count == 0, $"ops without a double kernel in KernelTable: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_leaf_op_is_one_the_executor_fills()
    {
        var leaves = OpTable.All.Where(op => op.IsLeaf).Select(op => op.Name).ToList();
        Assert.Equal(leaves.Order(), KernelTable<float>.LeafOps.Order());
        Assert.Equal(leaves.Order(), KernelTable<double>.LeafOps.Order());
    }

    [Fact]
    public void Every_kernel_belongs_to_an_op_of_the_table()
    {
        var names = OpTable.All.Select(op => op.Name).ToHashSet();
        Assert.All(KernelTable<float>.Ops, op => Assert.Contains(op, names));
        Assert.All(KernelTable<double>.Ops, op => Assert.Contains(op, names));
    }
}
