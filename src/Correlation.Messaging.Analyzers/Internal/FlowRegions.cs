using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.Internal;

/// <summary>
/// Decides whether an operation runs inside a correlated flow: a MassTransit consumer's <c>Consume</c>, an ASP.NET Core
/// controller action, a handler delegate given to a Correlation.Messaging adapter or to a minimal-API <c>Map…</c> call,
/// or code after a <c>CorrelationScope</c> was begun with <see langword="using"/>. Only the syntax between the operation
/// and its member is looked at: no whole-compilation scan.
/// </summary>
internal static class FlowRegions
{
    public const string Consumer = "consumer";
    public const string ControllerAction = "controller action";
    public const string Handler = "handler";
    public const string Endpoint = "endpoint";
    public const string Scope = "correlation scope";

    /// <summary>Returns what kind of flow <paramref name="operation"/> runs in, or <see langword="null"/> when none is known.</summary>
    public static string? Find(IOperation operation, ISymbol containingSymbol, KnownTypes types, CancellationToken cancellationToken)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda && HandlerKind(lambda, types) is { } handlerKind)
            {
                return handlerKind;
            }
        }

        if (types.CorrelationScope is not null && operation.SemanticModel is { } model && IsAfterScope(operation.Syntax, model, types, cancellationToken))
        {
            return Scope;
        }

        return MemberKind(containingSymbol, types);
    }

    private static string? MemberKind(ISymbol symbol, KnownTypes types)
    {
        if (symbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false } method)
        {
            return null;
        }

        var type = method.ContainingType;
        if (method.Name == "Consume" && type.Implements(types.MassTransitConsumer))
        {
            return Consumer;
        }

        if (method.DeclaredAccessibility == Accessibility.Public && type.DerivesFrom(types.ControllerBase))
        {
            foreach (var attribute in method.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.NonActionAttribute))
                {
                    return null;
                }
            }

            return ControllerAction;
        }

        return null;
    }

    private static string? HandlerKind(IAnonymousFunctionOperation lambda, KnownTypes types)
    {
        var parent = lambda.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }

        if (parent is not IArgumentOperation { Parent: IInvocationOperation invocation } argument)
        {
            return null;
        }

        var target = invocation.TargetMethod;
        if (types.EndpointRouteBuilderExtensions is not null
            && SymbolEqualityComparer.Default.Equals(target.ContainingType, types.EndpointRouteBuilderExtensions)
            && target.Name.StartsWith("Map", System.StringComparison.Ordinal))
        {
            return Endpoint;
        }

        // The handler given to one of our adapters (the parameter named "handler" of ConsumeWithCorrelationAsync,
        // SqsMessageProcessor.RunAsync, …): the adapter makes the message's context ambient around it. Other delegates
        // (options callbacks, header setters, delivery reports) are not a flow.
        var ns = target.ContainingNamespace?.ToDisplayString();
        return argument.Parameter?.Name == "handler"
            && ns is not null && (ns == "Correlation.Messaging" || ns.StartsWith("Correlation.Messaging.", System.StringComparison.Ordinal))
            ? Handler
            : null;
    }

    private static bool IsAfterScope(SyntaxNode node, SemanticModel model, KnownTypes types, CancellationToken cancellationToken)
    {
        for (var child = node; child.Parent is { } parent; child = parent)
        {
            switch (parent)
            {
                case MemberDeclarationSyntax:
                case LocalFunctionStatementSyntax:
                    return false;

                case UsingStatementSyntax usingStatement when usingStatement.Statement == child:
                    if (BeginsScope(usingStatement.Declaration?.Type, usingStatement.Expression, model, types, cancellationToken))
                    {
                        return true;
                    }

                    break;

                case BlockSyntax block:
                    foreach (var statement in block.Statements)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: (int)SyntaxKind.UsingKeyword } declaration
                            && BeginsScope(declaration.Declaration.Type, null, model, types, cancellationToken))
                        {
                            return true;
                        }
                    }

                    break;
            }
        }

        return false;
    }

    private static bool BeginsScope(TypeSyntax? declaredType, ExpressionSyntax? expression, SemanticModel model, KnownTypes types, CancellationToken cancellationToken)
    {
        var type = declaredType is not null
            ? model.GetTypeInfo(declaredType, cancellationToken).Type
            : expression is not null ? model.GetTypeInfo(expression, cancellationToken).Type : null;
        return types.IsCorrelationScope(type);
    }
}
