using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.AmbientWrite;

/// <summary>
/// CM0006: the ambient correlation context set inside an async method (<c>accessor.Current = …</c> on an
/// <c>ICorrelationContextAccessor</c>, or <c>.Value = …</c> on an <c>AsyncLocal&lt;CorrelationContext&gt;</c>).
/// The value is gone in the caller once the async method returns to it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AmbientWriteInAsyncAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AmbientWriteInAsync);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.CorrelationContext is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var assignment = (IAssignmentOperation)operationContext.Operation;
                    if (assignment.Target is not IPropertyReferenceOperation { Property: var property } || !IsAmbientContext(property, types))
                    {
                        return;
                    }

                    if (EnclosingAsyncFunction(assignment, operationContext.ContainingSymbol) is { } function)
                    {
                        operationContext.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.AmbientWriteInAsync,
                            assignment.Syntax.GetLocation(),
                            property.ContainingType.Name + "." + property.Name,
                            function.Kind,
                            function.Name));
                    }
                },
                OperationKind.SimpleAssignment,
                OperationKind.CoalesceAssignment);
        });
    }

    private static bool IsAmbientContext(IPropertySymbol property, KnownTypes types)
    {
        var type = property.ContainingType;
        if (property.Name == "Value" && types.AsyncLocal is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, types.AsyncLocal))
        {
            return SymbolEqualityComparer.Default.Equals(type.TypeArguments[0].WithNullableAnnotation(NullableAnnotation.None), types.CorrelationContext);
        }

        return property.Name == "Current" && type.Implements(types.CorrelationContextAccessor);
    }

    /// <summary>The innermost function around <paramref name="operation"/>, when it is async.</summary>
    private static (string Kind, string Name)? EnclosingAsyncFunction(IOperation operation, ISymbol containingSymbol)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol.IsAsync ? ("lambda", "lambda") : null;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol.IsAsync ? ("local function", localFunction.Symbol.Name) : null;
            }
        }

        return containingSymbol is IMethodSymbol { IsAsync: true } method ? ("method", method.Name) : null;
    }
}
