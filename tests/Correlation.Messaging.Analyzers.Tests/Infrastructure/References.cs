using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Correlation.Messaging.Analyzers.Tests.Infrastructure;

/// <summary>
/// The code under analysis compiles against the assemblies this test process runs on: the .NET and ASP.NET Core shared
/// frameworks and the real Correlation.Messaging, MassTransit, Confluent.Kafka and RabbitMQ.Client assemblies. Nothing is
/// downloaded.
/// </summary>
internal static class References
{
    /// <summary>A target framework with no reference package: <see cref="All"/> provides every reference.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    public static IReadOnlyList<MetadataReference> All { get; } =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !Path.GetFileName(path).StartsWith("Correlation.Messaging.Analyzers", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
}
