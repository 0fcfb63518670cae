using System;
using System.Collections.Immutable;
using Correlation.Messaging.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Correlation.Messaging.Analyzers.HandWrittenHeader;

/// <summary>
/// CM0004: a header that a referenced Correlation.Messaging adapter writes or replaces (<c>X-Correlation-ID</c>,
/// <c>X-Causation-ID</c>, <c>X-Correlation-Flow</c>, <c>X-Message-ID</c>) written by hand, as a string literal, on that
/// adapter's broker.
/// </summary>
/// <remarks>
/// Only the names the adapters write are flagged: the read aliases (<c>correlation-id</c>, <c>rbs2-corr-id</c>, …) and
/// <c>X-Request-ID</c> are never written by an adapter. A write is only flagged on a broker whose adapter the compilation
/// references: that is what makes the hand-written header redundant.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandWrittenHeaderAnalyzer : DiagnosticAnalyzer
{
    private const string Kafka = "Kafka";
    private const string Http = "HTTP";
    private const string MassTransit = "MassTransit";
    private const string RabbitMq = "RabbitMQ";
    private const string Sqs = "SQS";

    private static readonly string[] WrittenNames = ["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow", "X-Message-ID"];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HandWrittenHeader);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var brokers = Brokers.Create(start.Compilation);
            if (!brokers.Any)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    var method = invocation.TargetMethod;
                    if (method.Name is not ("Add" or "TryAdd" or "TryAddWithoutValidation" or "Append" or "Set") || invocation.Arguments.Length < 2)
                    {
                        return;
                    }

                    var keyIndex = method.IsExtensionMethod && invocation.Instance is null ? 1 : 0;
                    var instance = keyIndex == 1 ? invocation.Arguments[0].Value : invocation.Instance;
                    if (invocation.Arguments.Length > keyIndex
                        && WrittenName(invocation.Arguments[keyIndex].Value) is { } name
                        && brokers.Of(method, instance) is { } broker)
                    {
                        operationContext.ReportDiagnostic(Diagnostic.Create(Descriptors.HandWrittenHeader, invocation.Arguments[keyIndex].Value.Syntax.GetLocation(), name, broker));
                    }
                },
                OperationKind.Invocation);

            start.RegisterOperationAction(
                operationContext =>
                {
                    var assignment = (ISimpleAssignmentOperation)operationContext.Operation;
                    if (assignment.Target is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer
                        && WrittenName(indexer.Arguments[0].Value) is { } name
                        && brokers.Of(indexer.Property, indexer.Instance) is { } broker)
                    {
                        operationContext.ReportDiagnostic(Diagnostic.Create(Descriptors.HandWrittenHeader, indexer.Arguments[0].Value.Syntax.GetLocation(), name, broker));
                    }
                },
                OperationKind.SimpleAssignment);
        });
    }

    private static string? WrittenName(IOperation key)
    {
        while (key is IConversionOperation conversion)
        {
            key = conversion.Operand;
        }

        if (key is not ILiteralOperation { ConstantValue: { HasValue: true, Value: string value } } || key.Syntax is not LiteralExpressionSyntax)
        {
            return null;
        }

        foreach (var name in WrittenNames)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The header carriers of the brokers whose adapter the compilation references.</summary>
    private sealed class Brokers
    {
        private readonly INamedTypeSymbol? _kafkaHeaders;
        private readonly INamedTypeSymbol? _httpHeaders;
        private readonly INamedTypeSymbol? _headerDictionary;
        private readonly INamedTypeSymbol? _headerDictionaryExtensions;
        private readonly INamedTypeSymbol? _sendHeaders;
        private readonly INamedTypeSymbol? _awsSqsAttributeValue;
        private readonly bool _rabbitMq;

        private Brokers(Compilation compilation)
        {
            bool Has(string adapter)
            {
                if (string.Equals(compilation.AssemblyName, adapter, StringComparison.Ordinal))
                {
                    return true;
                }

                foreach (var reference in compilation.ReferencedAssemblyNames)
                {
                    if (string.Equals(reference.Name, adapter, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (Has("Correlation.Messaging.Kafka"))
            {
                _kafkaHeaders = compilation.GetTypeByMetadataName("Confluent.Kafka.Headers");
            }

            if (Has("Correlation.Messaging.AspNetCore"))
            {
                _httpHeaders = compilation.GetTypeByMetadataName("System.Net.Http.Headers.HttpHeaders");
                _headerDictionary = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.IHeaderDictionary");
                _headerDictionaryExtensions = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.HeaderDictionaryExtensions");
            }

            if (Has("Correlation.Messaging.MassTransit"))
            {
                _sendHeaders = compilation.GetTypeByMetadataName("MassTransit.SendHeaders");
            }

            _rabbitMq = Has("Correlation.Messaging.RabbitMq") || Has("Correlation.Messaging.MassTransit.RabbitMq");

            if (Has("Correlation.Messaging.Sqs"))
            {
                _awsSqsAttributeValue = compilation.GetTypeByMetadataName("Amazon.SQS.Model.MessageAttributeValue");
            }
        }

        public bool Any =>
            _kafkaHeaders is not null || _httpHeaders is not null || _headerDictionary is not null || _sendHeaders is not null
            || _rabbitMq || _awsSqsAttributeValue is not null;

        public static Brokers Create(Compilation compilation) => new(compilation);

        /// <summary>Which broker's header collection <paramref name="member"/> (called on <paramref name="instance"/>) writes to, if any.</summary>
        public string? Of(ISymbol member, IOperation? instance)
        {
            var type = member.ContainingType;
            if (Is(type, _kafkaHeaders))
            {
                return Kafka;
            }

            if (type.DerivesFrom(_httpHeaders))
            {
                return Http;
            }

            if (Is(type, _headerDictionaryExtensions) || Is(type, _headerDictionary) || instance?.Type.Implements(_headerDictionary) == true)
            {
                return Http;
            }

            if (Is(type, _sendHeaders) || instance?.Type.Implements(_sendHeaders) == true)
            {
                return MassTransit;
            }

            if (type is { IsGenericType: true, TypeArguments.Length: 2 } dictionary && dictionary.TypeArguments[0].SpecialType == SpecialType.System_String)
            {
                var valueType = dictionary.TypeArguments[1];
                if (Is(valueType, _awsSqsAttributeValue))
                {
                    return Sqs;
                }

                if (_rabbitMq && valueType.SpecialType == SpecialType.System_Object && IsRabbitMqHeaders(instance))
                {
                    return RabbitMq;
                }
            }

            return null;
        }

        /// <summary><c>properties.Headers</c> of a RabbitMQ.Client type, or an initializer of a dictionary assigned to it.</summary>
        private static bool IsRabbitMqHeaders(IOperation? instance)
        {
            while (instance is IConversionOperation conversion)
            {
                instance = conversion.Operand;
            }

            if (instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver })
            {
                // { ["X-Correlation-ID"] = … } inside `Headers = new Dictionary<string, object?> { … }`.
                var creation = instance.Parent;
                while (creation is not null and not IObjectCreationOperation)
                {
                    creation = creation.Parent;
                }

                var target = creation?.Parent;
                while (target is IConversionOperation)
                {
                    target = target.Parent;
                }

                return target is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } && IsRabbitMqHeadersProperty(property.Property);
            }

            return instance is IPropertyReferenceOperation reference && IsRabbitMqHeadersProperty(reference.Property);
        }

        private static bool IsRabbitMqHeadersProperty(IPropertySymbol property) =>
            property.Name == "Headers" && property.ContainingNamespace?.ToDisplayString() == "RabbitMQ.Client";

        private static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
            known is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, known);
    }
}
