using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Execution;

/// <summary>
/// One planned node: its kernel, the buffer slots it reads and writes, and its shapes resolved
/// for the batch size. Built once per plan so the execution loop allocates nothing.
/// </summary>
public sealed class Instruction<T> where T : unmanaged
{
    public Instruction(Node node, Kernel<T> kernel, int[] inputs, int output, int[][] inputShapes, int[] outputShape)
    {
        Node = node;
        Kernel = kernel;
        Inputs = inputs;
        Output = output;
        InputShapes = inputShapes;
        OutputShape = outputShape;
    }

    public Node Node { get; }
    public Kernel<T> Kernel { get; }
    public int[] Inputs { get; }
    public int Output { get; }
    public int[][] InputShapes { get; }
    public int[] OutputShape { get; }

    /// <summary>For a float32 matmul whose right operand is a weight packed once per run (<see cref="Kernels.PackedOperand"/>).</summary>
    public Kernels.PackedOperand? PackedB { get; internal set; }

    /// <summary>Per-kernel precomputed data (e.g. broadcast strides), filled on first use so later runs allocate nothing.</summary>
    internal int[][]? Strides { get; set; }

    /// <summary>A kernel's own plan (e.g. a fused program's registers), made on first use so later runs allocate nothing.</summary>
    internal object? State { get; set; }
}

/// <summary>Computes one node: reads <c>buffers[ins.Inputs[i]]</c>, writes <c>buffers[ins.Output]</c>.</summary>
public delegate void Kernel<T>(Instruction<T> ins, T[][] buffers) where T : unmanaged;
