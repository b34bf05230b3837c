using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations.Generated;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Equations;

/// <summary>Parses cell equations (the ANTLR grammar in CellEquations.g4) into <see cref="EquationBlock"/> syntax.</summary>
public static class EquationParser
{
    /// <summary>
    /// Parses the text of an <c>equations:</c> block. <paramref name="toSourceOffset"/> maps an offset in
    /// <paramref name="text"/> to the absolute offset in <paramref name="source"/> so spans and diagnostics
    /// point inside the YAML file. It is called with offsets of characters in <paramref name="text"/>
    /// (and with 0 when the text is empty). Syntax errors go to <paramref name="diagnostics"/>; the block
    /// returned then holds only the assignments on lines without errors.
    /// </summary>
    public static EquationBlock ParseBlock(SourceText source, string text, Func<int, int> toSourceOffset, DiagnosticBag diagnostics)
    {
        var session = new Session(source, text, toSourceOffset, diagnostics, "equation");
        var tree = session.Parser.block();
        var assignments = new List<Assignment>();
        foreach (var line in tree.line())
        {
            if (line.assignment() is not { } assignment || !session.IsClean(assignment)) continue;
            var built = session.Builder.BuildAssignment(assignment);
            // The builder may report (e.g. `h[t-2]`); such a line is dropped like any other bad line.
            if (session.IsClean(assignment)) assignments.Add(built);
        }
        return new EquationBlock(assignments, session.WholeSpan());
    }

    /// <summary>Parses a single expression (e.g. a parameter dimension such as <c>3*hidden</c>); null after a syntax error.</summary>
    public static Expr? ParseExpression(SourceText source, string text, Func<int, int> toSourceOffset, DiagnosticBag diagnostics)
    {
        var session = new Session(source, text, toSourceOffset, diagnostics, "expression");
        var tree = session.Parser.singleExpression();
        if (session.Reporter.HasErrors || !session.IsClean(tree)) return null;
        var expr = session.Builder.Visit(tree.expression());
        return session.Reporter.HasErrors ? null : expr;
    }

    /// <summary>The lexer, parser and error plumbing of one call.</summary>
    private sealed class Session
    {
        private readonly CommonTokenStream _tokens;
        private readonly EquationSourceMap _map;

        public Session(SourceText source, string text, Func<int, int> toSourceOffset, DiagnosticBag diagnostics, string where)
        {
            _map = new EquationSourceMap(source, text, toSourceOffset);
            Reporter = new EquationErrorReporter(diagnostics, _map, where);
            Builder = new EquationTreeBuilder(_map, Reporter);

            var lexer = new EquationLexer(text, Reporter);
            lexer.RemoveErrorListeners();
            _tokens = new CommonTokenStream(lexer);
            // Lex everything first so a bad character is reported before the parse error it causes
            // on the same line, which the one-error-per-line rule then suppresses.
            _tokens.Fill();

            Parser = new CellEquationsParser(_tokens) { ErrorHandler = new EquationErrorStrategy(Reporter) };
            Parser.RemoveErrorListeners();
        }

        public CellEquationsParser Parser { get; }
        public EquationErrorReporter Reporter { get; }
        public EquationTreeBuilder Builder { get; }

        /// <summary>No error was reported on the lines of <paramref name="context"/> and recovery left no trace in it.</summary>
        public bool IsClean(ParserRuleContext context) =>
            !Reporter.HasErrorOnLines(context.Start.Line, (context.Stop ?? context.Start).Line) && !HasErrorNodes(context);

        private static bool HasErrorNodes(IParseTree tree) => tree switch
        {
            IErrorNode => true,
            ParserRuleContext { exception: not null } => true,
            _ => Enumerable.Range(0, tree.ChildCount).Any(i => HasErrorNodes(tree.GetChild(i))),
        };

        /// <summary>From the first to the last token that is not a separator.</summary>
        public TextSpan WholeSpan()
        {
            var content = _tokens.GetTokens()
                .Where(t => t.Type is not (CellEquationsParser.NEWLINE or CellEquationsParser.SEMI or TokenConstants.EOF))
                .ToList();
            return content.Count == 0 ? _map.Start() : _map.Span(content[0], content[^1]);
        }
    }
}
