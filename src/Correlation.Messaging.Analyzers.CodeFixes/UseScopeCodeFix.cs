using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Correlation.Messaging.Analyzers.CodeFixes;

/// <summary>
/// CM0005 (scope never disposed): turns <c>x.BeginScope(…);</c>, <c>_ = x.BeginScope(…);</c> and
/// <c>var scope = x.BeginScope(…);</c> into <c>using var scope = x.BeginScope(…);</c>, so the scope ends with its block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseScopeCodeFix))]
[Shared]
public sealed class UseScopeCodeFix : CodeFixProvider
{
    private const string Title = "Dispose the scope with 'using'";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.ScopeMisuseId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Descriptors.ScopeProblemProperty, out var problem) || problem != Descriptors.ScopeNotDisposed)
            {
                continue;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node.FirstAncestorOrSelf<StatementSyntax>() is { Parent: BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax } statement && Fixable(statement, node))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, cancellationToken => FixAsync(context.Document, statement, node, cancellationToken), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }

    private static bool Fixable(StatementSyntax statement, SyntaxNode invocation) => statement switch
    {
        LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Declaration.Variables.Count: 1 } declaration =>
            Unwrap(declaration.Declaration.Variables[0].Initializer?.Value) == invocation,
        ExpressionStatementSyntax { Expression: var expression } =>
            Unwrap(expression) == invocation
            || (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard && Unwrap(discard.Right) == invocation),
        _ => false,
    };

    private static ExpressionSyntax? Unwrap(ExpressionSyntax? expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    private static async Task<Document> FixAsync(Document document, StatementSyntax statement, SyntaxNode invocation, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        LocalDeclarationStatementSyntax replacement;
        if (statement is LocalDeclarationStatementSyntax declaration)
        {
            replacement = declaration.WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        }
        else
        {
            var name = await UnusedNameAsync(document, statement, cancellationToken).ConfigureAwait(false);
            replacement = SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(
                            SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                                .WithInitializer(SyntaxFactory.EqualsValueClause((ExpressionSyntax)invocation.WithoutTrivia())))))
                .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword));
        }

        replacement = replacement.WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(statement, replacement));
    }

    private static async Task<string> UnusedNameAsync(Document document, StatementSyntax statement, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var taken = model?.LookupSymbols(statement.SpanStart);
        for (var i = 0; ; i++)
        {
            var candidate = i == 0 ? "scope" : "scope" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (taken is null || !taken.Value.Any(symbol => symbol.Name == candidate))
            {
                return candidate;
            }
        }
    }
}
