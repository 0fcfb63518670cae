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

namespace Correlation.Messaging.Analyzers.CodeFixes;

/// <summary>CM0004: removes the hand-written header write (the statement, or the initializer element), because the adapter writes it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveHandWrittenHeaderCodeFix))]
[Shared]
public sealed class RemoveHandWrittenHeaderCodeFix : CodeFixProvider
{
    private const string Title = "Remove the header write (the adapter writes it)";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.HandWrittenHeaderId);

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
            var literal = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (WriteToRemove(literal) is { } write)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, cancellationToken => RemoveAsync(context.Document, write, cancellationToken), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }

    /// <summary>The expression statement that performs the write, or the initializer element that holds it.</summary>
    private static SyntaxNode? WriteToRemove(SyntaxNode literal)
    {
        foreach (var ancestor in literal.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case ExpressionStatementSyntax statement when statement.Parent is BlockSyntax or SwitchSectionSyntax:
                    return statement;
                case ExpressionSyntax element when element.Parent is InitializerExpressionSyntax initializer
                    && (initializer.IsKind(SyntaxKind.ObjectInitializerExpression) || initializer.IsKind(SyntaxKind.CollectionInitializerExpression)):
                    return element;
                case StatementSyntax:
                case MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    private static async Task<Document> RemoveAsync(Document document, SyntaxNode write, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        if (write.Parent is InitializerExpressionSyntax initializer)
        {
            var remaining = initializer.Expressions.Remove((ExpressionSyntax)write);
            if (remaining.Count > 0 && initializer.Expressions.Last() == write)
            {
                // The last element went with the comma before it: the new last element takes over its trailing trivia.
                var last = remaining.Last();
                remaining = remaining.Replace(last, last.WithTrailingTrivia(write.GetTrailingTrivia()));
            }

            return document.WithSyntaxRoot(root.ReplaceNode(initializer, initializer.WithExpressions(remaining)));
        }

        var newRoot = root.RemoveNode(write, SyntaxRemoveOptions.KeepUnbalancedDirectives);
        return newRoot is null ? document : document.WithSyntaxRoot(newRoot);
    }
}
