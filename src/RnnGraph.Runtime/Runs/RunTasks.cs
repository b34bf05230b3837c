using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>Chooses a run's task from the model's topology, and the checks every task shares.</summary>
internal static class RunTasks
{
    public static RunTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        var model = probe.Model ?? throw new InvalidOperationException("the spec has errors");
        if (settings.Format == "csv") return SeriesTask.Create(probe, settings, dataDirectory);
        if (model.OneToOne)
            throw new RunException("rnngraph run trains a one-to-one model on a numeric series (data.format: csv), each row predicting the next");
        if (model.OneToMany) return ConditionalGenerationTask.Create(probe, settings, dataDirectory);
        if (model.IsEncoderDecoder) return EncoderDecoderTask.Create(probe, settings, dataDirectory);
        return model.ManyToOne
            ? ClassificationTask.Create(probe, settings, dataDirectory)
            : LanguageModelTask.Create(probe, settings, dataDirectory);
    }

    /// <summary>The spec compiled again with the sizes the data gives (<c>vocab: auto</c>, <c>units: auto</c>).</summary>
    public static Compilation Bind(Compilation probe, int vocabularySize)
    {
        var compilation = Compilation.Create(probe.Source, vocabularySize);
        if (compilation.HasErrors) throw new RunException("the spec does not bind to the data's vocabulary: " + compilation.Diagnostics.First());
        return compilation;
    }

    public static void RequireTokenInput(BoundModel model)
    {
        if (!model.Input.IsTokens)
            throw new RunException($"this data is text: declare the input as token ids, e.g. '{model.Input.Name}: {{ vocab: auto }}'");
    }
}
