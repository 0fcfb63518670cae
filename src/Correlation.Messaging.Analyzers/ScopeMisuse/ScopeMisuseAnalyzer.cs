using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.ScopeMisuse;

/// <summary>
/// CM0005: a <c>CorrelationScope</c> (from any method that returns one: <c>BeginScope</c>, <c>BeginConsumeScope</c>,
/// <c>BeginCorrelationScope</c>, …) that is never disposed, is stored in a field, or is disposed twice.
/// </summary>
/// <remarks>
/// A scope that is returned, passed to a method or copied elsewhere is the receiver's to dispose and is not flagged.
/// A field is flagged when it is static, or when its type does not dispose what it owns (not IDisposable/IAsyncDisposable).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScopeMisuseAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ScopeMisuse);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.CorrelationScope is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (types.IsCorrelationScope(invocation.Type))
                    {
                        AnalyzeScope(operationContext, invocation, types);
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static void AnalyzeScope(OperationAnalysisContext context, IInvocationOperation invocation, KnownTypes types)
    {
        IOperation child = invocation;
        var parent = invocation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IExpressionStatementOperation:
                Report(context, invocation, Descriptors.ScopeNotDisposed, "is never disposed: its context stays ambient after this statement");
                break;

            case ISimpleAssignmentOperation assignment when assignment.Value == child:
                switch (assignment.Target)
                {
                    case IDiscardOperation:
                        Report(context, invocation, Descriptors.ScopeNotDisposed, "is discarded and never disposed: its context stays ambient after this statement");
                        break;
                    case IFieldReferenceOperation field when IsMisusedStorage(field.Field.IsStatic, field.Field.ContainingType, types):
                        Report(context, invocation, Descriptors.ScopeStoredInField, $"is stored in the field '{field.Field.Name}': it outlives the flow that began it");
                        break;
                    case IPropertyReferenceOperation property when IsMisusedStorage(property.Property.IsStatic, property.Property.ContainingType, types):
                        Report(context, invocation, Descriptors.ScopeStoredInField, $"is stored in the property '{property.Property.Name}': it outlives the flow that began it");
                        break;
                    case ILocalReferenceOperation local:
                        AnalyzeLocal(context, invocation, local.Local, usingDeclared: false);
                        break;
                }

                break;

            case IFieldInitializerOperation initializer:
                foreach (var field in initializer.InitializedFields)
                {
                    if (IsMisusedStorage(field.IsStatic, field.ContainingType, types))
                    {
                        Report(context, invocation, Descriptors.ScopeStoredInField, $"is stored in the field '{field.Name}': it outlives the flow that began it");
                        break;
                    }
                }

                break;

            case IPropertyInitializerOperation initializer:
                foreach (var property in initializer.InitializedProperties)
                {
                    if (IsMisusedStorage(property.IsStatic, property.ContainingType, types))
                    {
                        Report(context, invocation, Descriptors.ScopeStoredInField, $"is stored in the property '{property.Name}': it outlives the flow that began it");
                        break;
                    }
                }

                break;

            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                AnalyzeLocal(context, invocation, declarator.Symbol, IsUsingDeclared(declarator));
                break;

            case IPropertyReferenceOperation:
            case IInvocationOperation { TargetMethod.Name: not "Dispose" }:
                Report(context, invocation, Descriptors.ScopeNotDisposed, "is used and then dropped without being disposed: its context stays ambient after this statement");
                break;
        }
    }

    private static bool IsMisusedStorage(bool isStatic, INamedTypeSymbol? owner, KnownTypes types) =>
        isStatic || !types.IsDisposable(owner);

    private static bool IsUsingDeclared(IVariableDeclaratorOperation declarator)
    {
        for (var current = declarator.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IUsingDeclarationOperation:
                case IUsingOperation:
                    return true;
                case IVariableDeclarationOperation:
                case IVariableDeclarationGroupOperation:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A local holding a scope: flagged when nothing disposes it and it does not escape (returned, passed on, copied),
    /// or when it is declared with <see langword="using"/> and also disposed explicitly.
    /// </summary>
    private static void AnalyzeLocal(OperationAnalysisContext context, IInvocationOperation invocation, ILocalSymbol local, bool usingDeclared)
    {
        var body = FindBody(invocation.Syntax);
        if (body is null)
        {
            return;
        }

        var disposed = false;
        var explicitDispose = false;
        foreach (var node in body.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != local.Name)
            {
                continue;
            }

            var use = identifier.Parent;
            switch (use)
            {
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Dispose" } access when access.Expression == identifier && access.Parent is InvocationExpressionSyntax:
                    disposed = true;
                    explicitDispose = true;
                    break;
                case UsingStatementSyntax usingStatement when usingStatement.Expression == identifier:
                case ReturnStatementSyntax:
                case ArrowExpressionClauseSyntax:
                case ArgumentSyntax:
                case EqualsValueClauseSyntax:
                case AssignmentExpressionSyntax assignment when assignment.Right == identifier:
                case YieldStatementSyntax:
                case TupleExpressionSyntax:
                case InitializerExpressionSyntax:
                    disposed = true;
                    break;
            }
        }

        if (usingDeclared && explicitDispose)
        {
            Report(context, invocation, Descriptors.ScopeDisposedTwice, $"'{local.Name}' is disposed explicitly although its using disposes it: the code after the explicit Dispose runs outside the scope the using promises");
        }
        else if (!usingDeclared && !disposed)
        {
            Report(context, invocation, Descriptors.ScopeNotDisposed, $"'{local.Name}' is never disposed: its context stays ambient after this method");
        }
    }

    private static SyntaxNode? FindBody(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax:
                    return current;
                case GlobalStatementSyntax:
                    return current.Parent;
            }
        }

        return null;
    }

    private static void Report(OperationAnalysisContext context, IInvocationOperation invocation, string problem, string message)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(Descriptors.ScopeProblemProperty, problem);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ScopeMisuse, invocation.Syntax.GetLocation(), properties, message));
    }
}
