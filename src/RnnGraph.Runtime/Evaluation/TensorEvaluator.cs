using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Evaluation;

public static class TensorEvaluator
{
    /// <summary>
    /// Evaluates in float32 from safetensors-style tensors (token-id inputs, lengths, one-to-many's feedback and an encoder-decoder's decoder_input and teacher may be I32 or I64) and
    /// returns F32 tensors under the CONTRACT names.
    /// </summary>
    public static Dictionary<string, TensorValue> Evaluate(Compilation compilation,
        IReadOnlyDictionary<string, TensorValue> weights, IReadOnlyDictionary<string, TensorValue> inputs)
    {
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        var w = weights.ToDictionary(p => p.Key, p => Convert(p.Key, p.Value, ids: false, "weights"));
        var x = inputs.ToDictionary(p => p.Key, p => Convert(p.Key, p.Value,
            ids: (model.Input.IsTokens && p.Key == model.Input.Name) || p.Key == EvalSignature.LengthsName
                 || (model.OneToMany && p.Key == ModelNames.Feedback)
                 || (model.IsEncoderDecoder && p.Key is EncoderDecoderNames.DecoderInput or EncoderDecoderNames.Teacher), "inputs"));
        return ModelEvaluator<float>.Evaluate(compilation, w, x).ToDictionary(p => p.Key, p => p.Value.ToTensorValue());
    }

    private static HostArray<float> Convert(string name, TensorValue value, bool ids, string file)
    {
        try
        {
            return ids ? HostArray<float>.FromIds(value) : HostArray<float>.From(value);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException or NotSupportedException or OverflowException)
        {
            throw new EvalException($"{file}: tensor '{name}' has dtype {value.DType} which cannot be used here ({(ids ? "token ids and lengths must be I32 or I64" : "expected F32")})");
        }
    }
}
