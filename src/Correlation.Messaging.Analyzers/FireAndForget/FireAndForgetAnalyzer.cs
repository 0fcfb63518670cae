using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.FireAndForget;

/// <summary>
/// CM0003: a task started and dropped (<c>_ = Task.Run(…)</c>, or a bare call whose task is ignored) inside a correlated
/// flow. Info by default.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FireAndForgetAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.FireAndForget);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.Task is null
                || (types.CorrelationScope is null && types.MassTransitConsumer is null && types.ControllerBase is null && types.EndpointRouteBuilderExtensions is null))
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (!types.IsTaskLike(invocation.Type) || !IsDropped(invocation))
                    {
                        return;
                    }

                    var flow = FlowRegions.Find(invocation, operationContext.ContainingSymbol, types, operationContext.CancellationToken);
                    if (flow is not null)
                    {
                        var method = invocation.TargetMethod;
                        operationContext.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.FireAndForget,
                            invocation.Syntax.GetLocation(),
                            method.ContainingType.Name + "." + method.Name,
                            flow));
                    }
                },
                OperationKind.Invocation);
        });
    }

    /// <summary>The task is thrown away: a bare expression statement, or assigned to the discard <c>_</c>.</summary>
    private static bool IsDropped(IInvocationOperation invocation)
    {
        var parent = invocation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        return parent is IExpressionStatementOperation
            || (parent is ISimpleAssignmentOperation { Target: IDiscardOperation } assignment && assignment.Parent is IExpressionStatementOperation);
    }
}
