namespace Correlation.Messaging.RabbitMq.Tests.Client;

/// <summary>A RabbitMQ.Client-only user takes no MassTransit: the package's assembly references none of it.</summary>
public sealed class PackageDependencyTests
{
    [Fact]
    public void RabbitMqPackage_ReferencedAssemblies_IncludeRabbitMqClientButNoMassTransit()
    {
        var references = typeof(CorrelatingBasicConsumer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.ShouldContain("RabbitMQ.Client");
        references.ShouldNotContain(n => n.StartsWith("MassTransit", StringComparison.OrdinalIgnoreCase));
    }
}
