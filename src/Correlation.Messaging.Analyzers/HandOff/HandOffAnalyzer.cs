using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.HandOff;

/// <summary>
/// CM0002: an item written to a <c>Channel&lt;T&gt;</c>, <c>BlockingCollection&lt;T&gt;</c> or <c>ConcurrentQueue&lt;T&gt;</c>
/// inside a correlated flow and read in a hosted service of the same compilation, whose type carries no correlation
/// context.
/// </summary>
/// <remarks>
/// Heuristic and low-noise on purpose: the write must be in a flow (see <see cref="FlowRegions"/>), the read in a
/// <c>BackgroundService</c> or <c>IHostedService</c>, both on the same kind of collection of the same item type. Writes
/// and reads are collected per operation; the pairing is done once, at the end of the compilation.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandOffAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HandOff);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var compilation = start.Compilation;
            var types = KnownTypes.Create(compilation);
            var hostedService = compilation.GetTypeByMetadataName("Microsoft.Extensions.Hosting.IHostedService");
            if (hostedService is null || types.CorrelationContext is null)
            {
                return;
            }

            var collections = new Collections(compilation);
            var writes = new ConcurrentBag<(string Kind, ITypeSymbol Item, Location Location, string Method, string Flow)>();
            var reads = new ConcurrentDictionary<(string Kind, ITypeSymbol Item), bool>(new KindAndTypeComparer());

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (collections.Classify(invocation.TargetMethod) is not { } use)
                    {
                        return;
                    }

                    if (use.IsWrite)
                    {
                        if (!CarriesContext(use.Item, types)
                            && FlowRegions.Find(invocation, operationContext.ContainingSymbol, types, operationContext.CancellationToken) is { } flow)
                        {
                            writes.Add((use.Kind, use.Item, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name, flow));
                        }
                    }
                    else if (operationContext.ContainingSymbol.ContainingType.Implements(hostedService))
                    {
                        reads.TryAdd((use.Kind, use.Item), true);
                    }
                },
                OperationKind.Invocation);

            start.RegisterCompilationEndAction(end =>
            {
                foreach (var write in writes)
                {
                    if (reads.ContainsKey((write.Kind, write.Item)))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.HandOff,
                            write.Location,
                            write.Kind + "." + write.Method,
                            write.Item.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                            write.Flow));
                    }
                }
            });
        });
    }

    /// <summary>The item is, or has a field or property that is, a correlation context or a captured capsule.</summary>
    private static bool CarriesContext(ITypeSymbol item, KnownTypes types)
    {
        if (IsContext(item, types))
        {
            return true;
        }

        if (item is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            foreach (var element in tuple.TupleElements)
            {
                if (IsContext(element.Type, types))
                {
                    return true;
                }
            }

            return false;
        }

        for (var type = item; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol field => field.Type,
                    IPropertySymbol property => property.Type,
                    _ => null,
                };
                if (memberType is not null && IsContext(memberType, types))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsContext(ITypeSymbol type, KnownTypes types) =>
        SymbolEqualityComparer.Default.Equals(type, types.CorrelationContext)
        || (type.ContainingNamespace?.ToDisplayString() == "Correlation.Messaging" && type.Name.Contains("Capsule"));

    /// <summary>The hand-off collections, and which of their methods write and read an item.</summary>
    private sealed class Collections(Compilation compilation)
    {
        private readonly INamedTypeSymbol? _channelWriter = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelWriter`1");
        private readonly INamedTypeSymbol? _channelReader = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelReader`1");
        private readonly INamedTypeSymbol? _blockingCollection = compilation.GetTypeByMetadataName("System.Collections.Concurrent.BlockingCollection`1");
        private readonly INamedTypeSymbol? _concurrentQueue = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentQueue`1");

        public (string Kind, ITypeSymbol Item, bool IsWrite)? Classify(IMethodSymbol method)
        {
            var type = method.ContainingType;
            if (type is not { IsGenericType: true, TypeArguments.Length: 1 })
            {
                return null;
            }

            var definition = type.OriginalDefinition;
            var item = type.TypeArguments[0];
            if (SymbolEqualityComparer.Default.Equals(definition, _channelWriter) && method.Name is "TryWrite" or "WriteAsync")
            {
                return ("Channel", item, true);
            }

            if (SymbolEqualityComparer.Default.Equals(definition, _channelReader) && method.Name is "TryRead" or "ReadAsync" or "ReadAllAsync")
            {
                return ("Channel", item, false);
            }

            if (SymbolEqualityComparer.Default.Equals(definition, _blockingCollection))
            {
                return method.Name switch
                {
                    "Add" or "TryAdd" => ("BlockingCollection", item, true),
                    "Take" or "TryTake" or "GetConsumingEnumerable" => ("BlockingCollection", item, false),
                    _ => null,
                };
            }

            if (SymbolEqualityComparer.Default.Equals(definition, _concurrentQueue))
            {
                return method.Name switch
                {
                    "Enqueue" => ("ConcurrentQueue", item, true),
                    "TryDequeue" => ("ConcurrentQueue", item, false),
                    _ => null,
                };
            }

            return null;
        }
    }

    private sealed class KindAndTypeComparer : IEqualityComparer<(string Kind, ITypeSymbol Item)>
    {
        public bool Equals((string Kind, ITypeSymbol Item) x, (string Kind, ITypeSymbol Item) y) =>
            x.Kind == y.Kind && SymbolEqualityComparer.Default.Equals(x.Item, y.Item);

        public int GetHashCode((string Kind, ITypeSymbol Item) obj) =>
            obj.Kind.GetHashCode() ^ SymbolEqualityComparer.Default.GetHashCode(obj.Item);
    }
}
