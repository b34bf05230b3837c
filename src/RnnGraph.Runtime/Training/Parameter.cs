namespace RnnGraph.Runtime.Training;

/// <summary>One trainable float32 tensor: its PyTorch name and shape, its values and the gradient of the loss with respect to them.</summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter over the given buffers (shared, not copied); missing buffers start as zeros.</summary>
    public Parameter(string name, int[] shape, float[]? value = null, float[]? grad = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
            count *= dim;
        }
        if (count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(shape), $"'{name}' would have {count} elements, more than an array holds");
        value ??= new float[count];
        grad ??= new float[count];
        if (value.Length != count || grad.Length != count)
            throw new ArgumentException($"'{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but its value has {value.Length} and its gradient {grad.Length}");
        Name = name;
        // Copied so a caller reusing its shape array cannot reshape the parameter afterwards.
        Shape = (int[])shape.Clone();
        Value = value;
        Grad = grad;
    }

    /// <summary>The name, as in a PyTorch state_dict (e.g. <c>rnn.weight_ih_l0</c>).</summary>
    public string Name { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The values, row-major; optimizers update them in place.</summary>
    public float[] Value { get; }

    /// <summary>The gradient, same layout as <see cref="Value"/>; clipping scales it in place.</summary>
    public float[] Grad { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Value.Length;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
