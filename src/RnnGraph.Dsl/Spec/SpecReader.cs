using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads a spec file with YamlDotNet into the located spec model, reporting every mistake as a diagnostic.</summary>
public static class SpecReader
{
    /// <summary>
    /// Reads a model spec. Never throws on bad input: problems go to <paramref name="diagnostics"/>
    /// and the document holds whatever could be read (<see cref="SpecDocument.Model"/> is null when
    /// the YAML is unreadable or has no usable <c>model</c> section).
    /// </summary>
    public static SpecDocument Read(SourceText source, DiagnosticBag diagnostics) => Read(source, diagnostics, requireModel: true);

    /// <summary>Reads a file of cell declarations only, such as the compiler's built-in cell library: no <c>model</c> section is needed.</summary>
    public static SpecDocument ReadCellLibrary(SourceText source, DiagnosticBag diagnostics) => Read(source, diagnostics, requireModel: false);

    private static SpecDocument Read(SourceText source, DiagnosticBag diagnostics, bool requireModel)
    {
        var ctx = new SpecReadContext(source, diagnostics);
        var nothing = new SpecDocument(source, null, []);

        if (!YamlPrescan.Check(ctx) || Load(ctx) is not { } stream) return nothing;

        if (stream.Documents.Count == 0 || YamlValues.IsNull(stream.Documents[0].RootNode))
        {
            if (requireModel) diagnostics.ReportEmptySpec(new TextLocation(source, new TextSpan(0, 0)));
            return nothing;
        }
        foreach (var extra in stream.Documents.Skip(1))
            diagnostics.ReportExtraDocument(ctx.At(extra.RootNode.Start));

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode rootMapping)
        {
            diagnostics.ReportWrongType(ctx.Locate(root), "a mapping with a 'model' section", "the spec", YamlValues.Describe(root));
            return nothing;
        }

        // Adding a section: its keys in SpecKeys.Root, a reader (see SectionReaders), a field in SpecDocument.
        var sections = new MappingReader(ctx, rootMapping, SpecKeys.Root, "the spec", ctx.At(rootMapping.Start));
        ModelSpec? model = null;
        ModelTopology? topology = null;
        if (sections.Has("model")) model = ModelReader.Read(ctx, sections, out topology);
        else if (requireModel) diagnostics.ReportMissingModel(ctx.At(rootMapping.Start));
        var cells = sections.Has("cells") ? CellReader.ReadAll(ctx, sections) : [];

        return new SpecDocument(source, model, cells)
        {
            Data = SectionReaders.ReadData(ctx, sections),
            // Keys of these sections that only an encoder-decoder takes are checked against the model's topology.
            Training = SectionReaders.ReadTraining(ctx, sections, topology),
            Generation = SectionReaders.ReadGeneration(ctx, sections, topology),
        };
    }

    /// <summary>Loads the representation model; after the prescan this should not fail, but bad input must never escape as an exception.</summary>
    private static YamlStream? Load(SpecReadContext ctx)
    {
        var stream = new YamlStream();
        var parser = new YamlDotNet.Core.Parser(new StringReader(ctx.Source.Text));
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            ctx.Diagnostics.ReportInvalidYaml(ctx.At(ex.Start), ex.Message.TrimEnd('.'));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The loader meets an event it does not expect (e.g. a key-less ': value' line it parsed oddly) and says so
            // without a position; the parser's current event is where it stopped.
            var at = parser.Current is { } current ? ctx.At(current.Start) : new TextLocation(ctx.Source, new TextSpan(0, 0));
            ctx.Diagnostics.ReportInvalidYaml(at, "the text cannot be parsed here or just before this point (check the line above for a key without a name or an unbalanced bracket)");
            return null;
        }
    }
}
