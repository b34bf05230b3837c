using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler;

/// <summary>
/// Runs the compiler's stages in order: read the spec, bind it, then on request unroll, differentiate
/// and optimize. Reading and binding stop at the first stage that reports errors.
/// </summary>
public sealed class Compilation
{
    /// <summary>The stages that can be dumped, in pipeline order.</summary>
    /// <summary>
    /// The stages a graph can be dumped at: unrolled, backward, then the backward graph after each optimizing
    /// pass in turn (<see cref="OptimizingPasses"/>, named by the pass), and optimized (all of them).
    /// </summary>
    public static readonly IReadOnlyList<string> Stages =
        ["unrolled", "backward", .. OptimizingPasses().Where(p => p is not DeadCodeEliminationPass).Select(p => p.Name), "optimized"];

    private Compilation(SourceText source, SpecDocument? document, BoundModel? model, DiagnosticBag diagnostics)
    {
        Source = source;
        Document = document;
        Model = model;
        Diagnostics = diagnostics;
    }

    public SourceText Source { get; }
    public SpecDocument? Document { get; }
    public BoundModel? Model { get; }
    public DiagnosticBag Diagnostics { get; }
    public bool HasErrors => Diagnostics.HasErrors;

    /// <summary>When set, the verifier checks the graph after every pass (tests and debug builds).</summary>
    public bool VerifyEachPass { get; set; }
#if DEBUG
        = true;
#endif

    /// <param name="vocabularySize">The data's vocabulary size for <c>vocab: auto</c> / <c>units: auto</c>, once known.</param>
    /// <param name="targetVocabularySize">An encoder-decoder's target vocabulary size (the decoder's <c>auto</c> sizes), once known.</param>
    public static Compilation Create(SourceText source, int? vocabularySize = null, int? targetVocabularySize = null)
    {
        var bag = new DiagnosticBag();
        var document = SpecReader.Read(source, bag);
        if (bag.HasErrors) return new Compilation(source, document, null, bag);
        var model = ModelBinder.Bind(document, bag, vocabularySize, targetVocabularySize);
        return new Compilation(source, document, model, bag);
    }

    public static Compilation FromFile(string path) => Create(SourceText.FromFile(path));

    private BoundModel BoundModel => Model ?? throw new InvalidOperationException("the spec has errors; check Diagnostics before compiling graphs");

    /// <summary>When set, every stage and pass run from now on records its time here (<c>rnngraph bench</c>).</summary>
    public CompileTimings? Timings { get; set; }

    public Graph Unroll(UnrollOptions options) => Checked(Timed("unroll", () => UnrollPass.Run(BoundModel, options)));

    /// <summary>Forward plus backward: gradients of every parameter and float input for the given upstream gradients.</summary>
    public Graph Backward(Graph forward, Func<string, bool>? hasSeed = null) => Checked(Timed("autodiff", () => AutodiffPass.Run(forward, hasSeed)));

    /// <summary>The optimizing passes in order: simplify (zero propagation), common subexpressions, time batching, elementwise fusion, dead code.</summary>
    public static IReadOnlyList<IGraphPass> OptimizingPasses(bool timeBatching = true, bool fusion = true)
    {
        var passes = new List<IGraphPass> { new SimplifyPass(), new CommonSubexpressionEliminationPass() };
        if (timeBatching) passes.Add(new TimeBatchingPass());
        if (fusion) passes.Add(new ElementwiseFusionPass());
        passes.Add(new DeadCodeEliminationPass());
        return passes;
    }

    /// <summary>When cleared, <see cref="Optimize"/> leaves out the time-batching pass (to compare against it).</summary>
    public bool TimeBatching { get; set; } = true;

    /// <summary>When cleared, <see cref="Optimize"/> leaves out the elementwise-fusion pass (to compare against it).</summary>
    public bool ElementwiseFusion { get; set; } = true;

    /// <summary>The optimizing pipeline: <see cref="OptimizingPasses"/>, the verifier after each.</summary>
    public Graph Optimize(Graph graph) => Optimize(graph, ElementwiseFusion);

    /// <summary>The optimizing pipeline with elementwise fusion on or off regardless of <see cref="ElementwiseFusion"/>.</summary>
    public Graph Optimize(Graph graph, bool fusion)
    {
        var passes = OptimizingPasses(TimeBatching, fusion);
        foreach (var pass in passes)
        {
            var input = graph;
            graph = Checked(Timed(pass.Name, () => pass.Run(input)));
        }
        return graph.WithStage("optimized");
    }

    /// <summary>
    /// A named stage for T steps with every upstream gradient present; initial states are fed as
    /// inputs when <paramref name="withInitialStates"/> is set, else they start at zero; with
    /// <paramref name="masked"/>, sequences have their own lengths (mask inputs).
    /// </summary>
    /// <para>A one-to-one model has no time axis: it runs one step and has nothing to mask. The initial states of a
    /// one-to-many model's <c>condition: state</c> layer come from the condition, never from inputs.</para>
    /// <para>An encoder-decoder's source has <paramref name="steps"/> steps and its decoder <paramref name="targetSteps"/> (default as many).</para>
    public Graph Stage(string stage, int steps, bool withInitialStates = false, bool masked = false, int? targetSteps = null)
    {
        var given = withInitialStates
            ? BoundModel.RnnLayers.Where(l => l != BoundModel.ConditionedLayer)
                .SelectMany(l => Enumerable.Range(0, l.States.Count).Select(s => ModelNames.InitialState(BoundModel, l, s))).ToHashSet()
            : new HashSet<string>();
        var unrolled = Unroll(new UnrollOptions(steps, given, masked && !BoundModel.OneToOne) { TargetSteps = targetSteps ?? steps });
        return stage switch
        {
            "unrolled" => unrolled,
            "backward" => Backward(unrolled),
            "optimized" => Optimize(Backward(unrolled)),
            _ when OptimizingPasses(TimeBatching, ElementwiseFusion).Any(p => p.Name == stage) => OptimizeThrough(Backward(unrolled), stage),
            _ => throw new ArgumentException($"unknown stage '{stage}'; stages: {string.Join(", ", Stages)}", nameof(stage)),
        };
    }

    /// <summary>The optimizing passes up to and including <paramref name="lastPass"/>, then dead code removed.</summary>
    private Graph OptimizeThrough(Graph graph, string lastPass)
    {
        foreach (var pass in OptimizingPasses(TimeBatching, ElementwiseFusion))
        {
            if (pass is DeadCodeEliminationPass) continue;
            graph = Checked(pass.Run(graph));
            if (pass.Name == lastPass) break;
        }
        return Checked(new DeadCodeEliminationPass().Run(graph)).WithStage(lastPass);
    }

    private Graph Checked(Graph graph)
    {
        if (VerifyEachPass) Timed("verify", () => { GraphVerifier.Verify(graph); return graph; });
        return graph;
    }

    private T Timed<T>(string phase, Func<T> work) => CompileTimings.Measure(Timings, phase, work);
}
