using System.Net.Http.Json;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Tests.Outgoing;

/// <summary>Service A (Kestrel) calls service B (Kestrel) over HttpClient; both must log the same ID.</summary>
public sealed class TwoServicesTests
{
    [Theory]
    [InlineData("two-hop-flow")]
    [InlineData(null)]
    public async Task AddCorrelationPropagation_CallToSecondService_BothServicesLogTheSameId(string? inbound)
    {
        await using var serviceB = await TestApp.StartAsync(HostKind.Kestrel, Echo.Map);
        await using var serviceA = await TestApp.StartAsync(
            HostKind.Kestrel,
            app => app.MapGet("/call", static async (IHttpClientFactory clients, ILoggerFactory loggers) =>
            {
                loggers.CreateLogger("Tests.ServiceA").LogInformation("Calling service B");
                return await clients.CreateClient("b").GetFromJsonAsync<SeenContext>("/echo");
            }),
            services: b => b.Services.AddHttpClient("b", c => c.BaseAddress = serviceB.BaseAddress).AddCorrelationPropagation());

        using var response = await serviceA.Client.SendAsync(Echo.Request("/call", inbound), TestContext.Current.CancellationToken);
        var seenByB = await response.Content.ReadFromJsonAsync<SeenContext>(TestContext.Current.CancellationToken);

        var id = response.Header();
        id.ShouldNotBeNull();
        if (inbound is not null)
        {
            id.ShouldBe(inbound);
        }

        seenByB!.CorrelationId.ShouldBe(id);
        seenByB.Source.ShouldBe(nameof(CorrelationIdSource.Inbound));
        serviceA.Logs.Logs.Single(l => l.Message == "Calling service B").CorrelationId.ShouldBe(id);
        serviceB.Logs.Logs.Single(l => l.Message == Echo.HandledMessage).CorrelationId.ShouldBe(id);

        // Every log line of both services written while handling the request carries the ID (HttpClient's own included).
        var clientLogs = serviceA.Logs.Logs.Where(l => l.Category.StartsWith("System.Net.Http.HttpClient.b", StringComparison.Ordinal)).ToList();
        clientLogs.ShouldNotBeEmpty();
        clientLogs.ShouldAllBe(l => l.CorrelationId == id);
    }
}
