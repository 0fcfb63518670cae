using Microsoft.CodeAnalysis;

namespace Correlation.Messaging.Analyzers.Internal;

/// <summary>
/// The types the analyzers recognise, resolved once per compilation by metadata name (the analyzers never reference
/// Correlation.Messaging.Core). A type the compilation does not see is <see langword="null"/>.
/// </summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation)
    {
        CorrelationScope = compilation.GetTypeByMetadataName("Correlation.Messaging.CorrelationScope");
        CorrelationContext = compilation.GetTypeByMetadataName("Correlation.Messaging.CorrelationContext");
        CorrelationContextAccessor = compilation.GetTypeByMetadataName("Correlation.Messaging.ICorrelationContextAccessor");
        MassTransitConsumer = compilation.GetTypeByMetadataName("MassTransit.IConsumer`1");
        ControllerBase = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.ControllerBase");
        NonActionAttribute = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.NonActionAttribute");
        EndpointRouteBuilderExtensions = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions");
        AsyncLocal = compilation.GetTypeByMetadataName("System.Threading.AsyncLocal`1");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        Disposable = compilation.GetTypeByMetadataName("System.IDisposable");
        AsyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
    }

    public INamedTypeSymbol? CorrelationScope { get; }

    public INamedTypeSymbol? CorrelationContext { get; }

    public INamedTypeSymbol? CorrelationContextAccessor { get; }

    public INamedTypeSymbol? MassTransitConsumer { get; }

    public INamedTypeSymbol? ControllerBase { get; }

    public INamedTypeSymbol? NonActionAttribute { get; }

    public INamedTypeSymbol? EndpointRouteBuilderExtensions { get; }

    public INamedTypeSymbol? AsyncLocal { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? Disposable { get; }

    public INamedTypeSymbol? AsyncDisposable { get; }

    public static KnownTypes Create(Compilation compilation) => new(compilation);

    public bool IsCorrelationScope(ITypeSymbol? type) =>
        CorrelationScope is not null && SymbolEqualityComparer.Default.Equals(type, CorrelationScope);

    /// <summary>Whether <paramref name="type"/> is a task-like value (Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;).</summary>
    public bool IsTaskLike(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        var definition = named.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(definition, ValueTask) || SymbolEqualityComparer.Default.Equals(definition, ValueTaskOfT))
        {
            return true;
        }

        return named.DerivesFrom(Task);
    }

    /// <summary>Whether <paramref name="type"/> disposes what it owns (implements IDisposable or IAsyncDisposable).</summary>
    public bool IsDisposable(ITypeSymbol? type) => type.Implements(Disposable) || type.Implements(AsyncDisposable);
}
