using RnnGraph.Dsl.Spec;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph schema</c>: prints the JSON Schema of a spec, for editors with the YAML language server.</summary>
public sealed class SchemaCommand : ICommand
{
    public CommandSpec Spec { get; } = new("schema", "Print the JSON Schema (draft-07) of a spec, for editor validation and completion.",
        [], [],
        "Save it with: rnngraph schema > docs/rnngraph.schema.json, then start a spec with the line\n# yaml-language-server: $schema=PATH/TO/rnngraph.schema.json (see docs/spec.md, Editor support).");

    public int Execute(ParsedArguments args, CliContext context)
    {
        context.Out.Write(SpecSchema.Generate());
        return 0;
    }
}
