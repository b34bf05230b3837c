using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Training;

/// <summary>The parameters one optimizer trains, in a fixed order, with unique names.</summary>
public sealed class ParameterSet : IReadOnlyList<Parameter>
{
    private readonly Parameter[] parameters;
    private readonly Dictionary<string, Parameter> byName = new(StringComparer.Ordinal);

    /// <summary>Creates a set in the given order; names must be unique.</summary>
    public ParameterSet(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
        foreach (var parameter in this.parameters)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
            if (!byName.TryAdd(parameter.Name, parameter))
                throw new ArgumentException($"the parameter name '{parameter.Name}' appears twice", nameof(parameters));
        }
    }

    /// <summary>Float32 parameters from tensors such as a safetensors weights file, in ordinal name order, with zero gradients.</summary>
    public static ParameterSet FromTensors(IReadOnlyDictionary<string, TensorValue> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new ParameterSet(tensors.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new Parameter(t.Key, t.Value.Shape, t.Value.ToFloatArray())));
    }

    /// <summary>The current values as F32 tensors (sharing the parameters' arrays), e.g. to write a checkpoint.</summary>
    public Dictionary<string, TensorValue> ToTensors() =>
        parameters.ToDictionary(p => p.Name, p => TensorValue.FromFloat(p.Value, p.Shape), StringComparer.Ordinal);

    /// <summary>The number of parameters.</summary>
    public int Count => parameters.Length;

    /// <summary>The parameter at a position.</summary>
    public Parameter this[int index] => parameters[index];

    /// <summary>The parameter with a name; throws <see cref="KeyNotFoundException"/> when there is none.</summary>
    public Parameter this[string name] =>
        byName.TryGetValue(name, out var parameter) ? parameter : throw new KeyNotFoundException($"no parameter is named '{name}'");

    /// <summary>Finds a parameter by name.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Parameter parameter) =>
        byName.TryGetValue(name, out parameter);

    /// <summary>Sets every gradient to zero, as before accumulating the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters) Array.Clear(parameter.Grad);
    }

    /// <summary>Enumerates without allocating, so foreach in a training step stays allocation-free.</summary>
    public ReadOnlySpan<Parameter>.Enumerator GetEnumerator() => new ReadOnlySpan<Parameter>(parameters).GetEnumerator();

    IEnumerator<Parameter> IEnumerable<Parameter>.GetEnumerator() => ((IEnumerable<Parameter>)parameters).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => parameters.GetEnumerator();
}
