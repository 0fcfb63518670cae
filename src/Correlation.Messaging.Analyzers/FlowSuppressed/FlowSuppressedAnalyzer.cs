using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.FlowSuppressed;

/// <summary>
/// CM0001: a call that does not flow the execution context (and so the ambient correlation context), made inside a
/// correlated flow.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FlowSuppressedAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.FlowSuppressed);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var compilation = start.Compilation;
            var types = KnownTypes.Create(compilation);
            if (types.CorrelationScope is null && types.MassTransitConsumer is null && types.ControllerBase is null && types.EndpointRouteBuilderExtensions is null)
            {
                return;
            }

            var executionContext = compilation.GetTypeByMetadataName("System.Threading.ExecutionContext");
            var threadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
            var cancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            var thread = compilation.GetTypeByMetadataName("System.Threading.Thread");

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    var method = invocation.TargetMethod;
                    var type = method.ContainingType;
                    var suppresses =
                        (method.Name == "SuppressFlow" && SymbolEqualityComparer.Default.Equals(type, executionContext))
                        || ((method.Name == "UnsafeQueueUserWorkItem" || method.Name == "UnsafeRegisterWaitForSingleObject") && SymbolEqualityComparer.Default.Equals(type, threadPool))
                        || (method.Name == "UnsafeRegister" && SymbolEqualityComparer.Default.Equals(type, cancellationToken))
                        || (method.Name == "UnsafeStart" && SymbolEqualityComparer.Default.Equals(type, thread));
                    if (!suppresses || RestoresInCallback(invocation, types))
                    {
                        return;
                    }

                    var flow = FlowRegions.Find(invocation, operationContext.ContainingSymbol, types, operationContext.CancellationToken);
                    if (flow is not null)
                    {
                        operationContext.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.FlowSuppressed,
                            invocation.Syntax.GetLocation(),
                            type.Name + "." + method.Name,
                            flow));
                    }
                },
                OperationKind.Invocation);
        });
    }

    /// <summary>
    /// The callback restores a captured context itself (it begins a <c>CorrelationScope</c>: <c>BeginScope</c>, a
    /// capsule's <c>Restore</c>, …): the correlation ID is carried on purpose, not lost.
    /// </summary>
    private static bool RestoresInCallback(IInvocationOperation invocation, KnownTypes types)
    {
        foreach (var argument in invocation.Arguments)
        {
            var value = argument.Value;
            while (value is IConversionOperation or IDelegateCreationOperation)
            {
                value = value is IConversionOperation conversion ? conversion.Operand : ((IDelegateCreationOperation)value).Target;
            }

            if (value is IAnonymousFunctionOperation lambda)
            {
                foreach (var operation in lambda.Body.Descendants())
                {
                    if (operation is IInvocationOperation call && types.IsCorrelationScope(call.Type))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
